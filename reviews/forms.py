"""The forms of reviews: writing one (with photos), reporting one, and the
query string of a product page's reviews."""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from catalog.images import ACCEPT, PreparedImage, image_prepare
from catalog.models import Variant
from reviews.models import ReviewPhoto, ReviewReport
from reviews.selectors import ReviewSort
from reviews.services import BODY_MAX, NAME_MAX, TITLE_MAX, ReviewInput, variant_label

STAR_CHOICES = [(stars, str(stars)) for stars in range(5, 0, -1)]


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once (Django's documented multiple-upload field),
    each checked like a product image and made ready to store."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[UploadedFile, PreparedImage]]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        prepared = []
        errors: list[str] = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            if not isinstance(upload, UploadedFile):
                continue
            try:
                prepared.append((upload, image_prepare(upload)))
            except ValidationError as error:
                errors.extend(f"{upload.name}: {message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return prepared


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )  # fmt: skip
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Your review"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "What did you like or dislike? How do you use it? "
            "Links and email addresses send a review to our moderators."
        ),
    )
    author_name = forms.CharField(
        label=_("Shown as"), max_length=NAME_MAX, help_text=_("The name other shoppers see with your review.")
    )
    variant = forms.ModelChoiceField(
        label=_("Which one did you buy?"), queryset=Variant.objects.none(), required=False,
        empty_label=_("Not saying"),
    )  # fmt: skip
    photos = PhotosField(
        label=_("Photos"),
        help_text=_("Up to %(max)d photos: JPEG, PNG, WebP or GIF.") % {"max": settings.REVIEWS_PHOTOS_MAX},
    )
    photos_remove = forms.MultipleChoiceField(
        label=_("Remove photos"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, variants: Sequence[Variant] = (), photos: Sequence[ReviewPhoto] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        variant_field = cast(forms.ModelChoiceField, self.fields["variant"])
        variant_field.queryset = Variant.objects.filter(
            pk__in=[variant.pk for variant in variants]
        ).prefetch_related("option_values__option")
        variant_field.label_from_instance = variant_label  # type: ignore[method-assign,assignment]
        if len(variants) < 2:
            del self.fields["variant"]
        remove = cast(forms.MultipleChoiceField, self.fields["photos_remove"])
        remove.choices = [(str(photo.pk), str(photo.pk)) for photo in photos]
        self.existing_photos = list(photos)
        if not photos:
            del self.fields["photos_remove"]

    def review_input(self) -> ReviewInput:
        data = self.cleaned_data
        return ReviewInput(
            rating=data["rating"],
            title=data["title"],
            body=data["body"],
            author_name=data["author_name"],
            variant=data.get("variant"),
            photos_add=data.get("photos") or [],
            photos_remove=[int(pk) for pk in data.get("photos_remove") or []],
        )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this review?"),
        choices=ReviewReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything else (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    """Staff's reason for rejecting reviews, told to their authors."""

    reason = forms.CharField(
        label=_("Reason (the author is told)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Public reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )


# The product page's query string: names that cannot clash with the variant picker's.
STARS_PARAM, SORT_PARAM, PAGE_PARAM = "review_stars", "review_sort", "review_page"


def review_query_parse(query: Mapping[str, Any]) -> tuple[int | None, str, int]:
    """(stars, sort, page) from a product page's query string; nonsense is
    ignored (all stars, most helpful, page 1), never an error."""
    raw_stars = str(query.get(STARS_PARAM, ""))
    stars = int(raw_stars) if raw_stars in {"1", "2", "3", "4", "5"} else None
    sort = str(query.get(SORT_PARAM, ""))
    sort = sort if sort in ReviewSort.values else ReviewSort.HELPFUL
    raw_page = str(query.get(PAGE_PARAM, ""))
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
    return stars, sort, page
