"""Staff's moderation queue: the reviews waiting for a moderator first (held
ones, then those shoppers reported most, then the newest), approved or
rejected with a reason in bulk or one by one, and the shop's public reply.

What a customer wrote is read-only here: staff moderate, they do not rewrite.
Every change goes through ``reviews.services`` (the product's rating follows,
the author is told), never through the admin's own ``save()`` or delete.
The reports and the purchases that verify a review are listed read-only.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.options import Action
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import linebreaks_filter
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.models import Product
from reviews.forms import RejectForm, ReplyForm
from reviews.models import STARS, Purchase, Review, ReviewReport
from reviews.services import ReviewRefused, review_delete, review_reply_set, reviews_approve, reviews_reject

# The change form's moderation buttons (names of its submit inputs).
APPROVE, REJECT = "_approve", "_reject"
# Reviews listed by name on the reject page; the rest are counted.
REJECT_PREVIEW = 50


def moderator(request: HttpRequest) -> AbstractBaseUser:
    """The staff member acting, whom the services record as ``by``."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def stars(rating: int) -> str:
    """ "★★★★☆" for 4.

    >>> stars(4)
    '★★★★☆'
    """
    return "★" * rating + "☆" * (len(STARS) - rating)


# --- Filters ----------------------------------------------------------------------------


class ProductFilter(admin.SimpleListFilter):
    """The reviews of one product, chosen from the list's product column (a
    link) or by the ``product`` parameter: a shop has too many products for
    a sidebar list, so the sidebar shows only the chosen one (and "All")."""

    title = gettext_lazy("product")
    parameter_name = "product"

    def product_id(self) -> int | None:
        value = self.value() or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        if not value:
            return []  # no sidebar entry until a product is chosen
        product_id = self.product_id()
        title = (
            Product.objects.filter(pk=product_id).values_list("title", flat=True).first()
            if product_id
            else None
        )
        # A choice even for an unknown product: without one, Django would drop
        # the filter and list every review.
        return [(value, title if title is not None else _("no such product"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        product_id = self.product_id()
        return queryset.filter(product_id=product_id) if product_id else queryset.none()


class StarsFilter(admin.SimpleListFilter):
    """By stars, from a fixed list: Django's default for a plain integer
    field would read the distinct values of the whole table on every page."""

    title = gettext_lazy("stars")
    parameter_name = "stars"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(rating), stars(rating)) for rating in reversed(STARS)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(rating=int(value)) if value in {str(s) for s in STARS} else queryset.none()


# --- The review's page -------------------------------------------------------------------


class ReviewModerationForm(forms.ModelForm[Review]):
    """The one editable part, the shop's public reply (saved through
    ``review_reply_set``), and the reason the Reject button needs."""

    reply = ReplyForm.base_fields["reply"]  # the same field (each form instance copies it)
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy("Needed to reject the review; its author is told."),
    )

    class Meta:
        model = Review
        fields = ("reply",)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if REJECT in self.data:
            # The same rule as the bulk action's page: no rejection without a reason.
            reject = RejectForm({"reason": self.data.get("reason", "")})
            if reject.is_valid():
                data["reason"] = reject.cleaned_data["reason"]
            else:
                for error in reject.errors["reason"]:
                    self.add_error("reason", error)
        return data


class ReportInline(admin.TabularInline[ReviewReport, Review]):
    """What shoppers reported, read-only."""

    model = ReviewReport
    fields = readonly_fields = ("created_at", "reason", "note", "user", "handled_at")
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("reports by shoppers")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewReport]:
        return super().get_queryset(request).select_related("user").order_by("-created_at", "-pk")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Whoever may see a review sees what shoppers reported about it
        (without a permission of its own for the reports)."""
        return request.user.has_perm("reviews.view_review") or request.user.has_perm("reviews.change_review")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin[Review]):
    list_display = (
        "product_link",
        "stars_shown",
        "title",
        "author_name",
        "status",
        "held",
        "verified_purchase",
        "report_count",
        "helpful_count",
        "created_at",
    )
    list_display_links = ("title",)
    list_filter = ("status", StarsFilter, "verified_purchase", "held", ProductFilter)
    list_select_related = ("product",)
    search_fields = (
        "title",
        "body",
        "author_name",
        "author__email",
        "product__title",
        "=product__variants__sku",
    )
    search_help_text = gettext_lazy(
        "Title, text, shown name, the author's email, the product's title or a SKU (exact)."
    )
    # The table grows with the shop: no COUNT(*) of all reviews on every page.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts per filter value scan the whole table
    form = ReviewModerationForm
    change_form_template = "admin/reviews/review/change_form.html"
    readonly_fields = (
        "product_link",
        "variant_label",
        "stars_shown",
        "title",
        "body_shown",
        "photos_shown",
        "author_name",
        "author_link",
        "verified_purchase",
        "purchases_shown",
        "status",
        "held",
        "rejection_reason",
        "report_count",
        "helpful_count",
        "created_at",
        "updated_at",
        "published_at",
        "moderated_at",
        "moderated_by",
        "replied_at",
        "replied_by",
    )
    inlines = (ReportInline,)
    actions = ("approve", "reject")
    # The queue: the reviews waiting for a moderator first, then the most
    # reported (published ones below the threshold that hides them), then the newest.
    ordering = (
        Case(When(status=Review.Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-report_count",
        "-created_at",
        "-pk",
    )

    # The page's layout; the template puts the reports between the last two.
    REVIEW = (None, {"fields": ("product_link", "variant_label", "stars_shown", "title", "body_shown")})
    PHOTOS = (gettext_lazy("Photos"), {"fields": ("photos_shown",)})
    AUTHOR = (
        gettext_lazy("Author"),
        {"fields": ("author_name", "author_link", "verified_purchase", "purchases_shown")},
    )
    STATE = (
        gettext_lazy("Moderation"),
        {
            "fields": (
                ("status", "held"),
                "rejection_reason",
                ("report_count", "helpful_count"),
                ("created_at", "updated_at", "published_at"),
                ("moderated_at", "moderated_by"),
            )
        },
    )

    def get_fieldsets(self, request: HttpRequest, obj: Review | None = None) -> Any:
        decision: tuple[str | tuple[str, str], ...] = ("reply", ("replied_at", "replied_by"))
        if self.has_change_permission(request, obj):
            decision = (*decision, "reason")
        return (
            self.REVIEW,
            self.PHOTOS,
            self.AUTHOR,
            self.STATE,
            (gettext_lazy("Reply and decision"), {"fields": decision}),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers write reviews

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Action | None]:
        """No bulk delete: deleting reviews one by one goes through the
        service (their product's rating follows); moderators reject."""
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    # --- Columns and read-only fields ----------------------------------------------------

    @admin.display(description=gettext_lazy("product"), ordering="product__title")
    def product_link(self, review: Review) -> SafeString:
        """The product's title, linking to its reviews in this list."""
        url = f"{reverse('admin:reviews_review_changelist')}?{urlencode({'product': review.product_id})}"
        return format_html('<a href="{}">{}</a>', url, review.product.title)

    @admin.display(description=gettext_lazy("stars"), ordering="rating")
    def stars_shown(self, review: Review) -> str:
        return stars(review.rating)

    @admin.display(description=gettext_lazy("review"))
    def body_shown(self, review: Review) -> SafeString:
        return linebreaks_filter(review.body, autoescape=True)

    @admin.display(description=gettext_lazy("photos"))
    def photos_shown(self, review: Review) -> SafeString:
        """Thumbnails (the narrowest rendition), each linking to the original."""
        rows: list[tuple[str, str, str]] = []
        for photo in review.photos.all():
            renditions: dict[str, str] = photo.renditions or {}
            narrowest = min(renditions.items(), key=lambda item: int(item[0]), default=None)
            src = photo.image.storage.url(narrowest[1]) if narrowest else photo.image.url
            rows.append((photo.image.url, src, _("Photo %(number)d") % {"number": len(rows) + 1}))
        if not rows:
            return format_html("{}", "-")
        return format_html_join(
            " ",
            '<a href="{}"><img src="{}" alt="{}" class="review-photo-thumb"></a>',
            rows,
        )

    @admin.display(description=gettext_lazy("author"))
    def author_link(self, review: Review) -> SafeString:
        url = reverse("admin:accounts_user_change", args=[review.author_id])
        return format_html('<a href="{}">{}</a>', url, review.author.email)

    @admin.display(description=gettext_lazy("received in"))
    def purchases_shown(self, review: Review) -> SafeString:
        """The delivered orders that make the review a verified purchase."""
        purchases = Purchase.objects.filter(user_id=review.author_id, product_id=review.product_id).order_by(
            "delivered_at", "pk"
        )
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            (
                (reverse("admin:reviews_purchase_change", args=[p.pk]), p.reference, p.delivered_at.date())
                for p in purchases
            ),
        ) or format_html("{}", _("no delivered order"))

    # --- Saving: the reply, and the buttons of the change form ------------------------------

    def save_model(self, request: HttpRequest, obj: Review, form: Any, change: bool) -> None:
        """The reply through its service, then the decision of the button
        pressed, in the admin's one transaction."""
        by = moderator(request)
        if "reply" in form.changed_data:
            review_reply_set(review=obj, reply=form.cleaned_data["reply"], by=by)
        if APPROVE in request.POST:
            reviews_approve(review_ids=[obj.pk], by=by)
        elif REJECT in request.POST:
            reviews_reject(review_ids=[obj.pk], by=by, reason=form.cleaned_data["reason"])

    def response_change(self, request: HttpRequest, obj: Review) -> HttpResponse:
        """After a decision, back to the queue for the next review."""
        if APPROVE in request.POST or REJECT in request.POST:
            message = (
                _("The review “%(title)s” is published.")
                if APPROVE in request.POST
                else _("The review “%(title)s” is rejected; its author is told why.")
            )
            self.message_user(request, message % {"title": obj.title}, messages.SUCCESS)
            return self.response_post_save_change(request, obj)
        return super().response_change(request, obj)

    def delete_model(self, request: HttpRequest, obj: Review) -> None:
        review_delete(review=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        for review in queryset.order_by("pk"):
            review_delete(review=review)

    # --- Bulk actions ----------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Approve and publish"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        count = reviews_approve(review_ids=queryset.values_list("pk", flat=True), by=moderator(request))
        self.message_user(
            request,
            ngettext("%(count)d review published.", "%(count)d reviews published.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Reject with a reason…"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Review]) -> TemplateResponse | None:
        """The intermediate page: one reason for every selected review, told
        to each author; the change list's selection is posted back as it came."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                count = reviews_reject(
                    review_ids=queryset.values_list("pk", flat=True),
                    by=moderator(request),
                    reason=form.cleaned_data["reason"],
                )
            except ReviewRefused as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d review rejected; its author is told why.",
                        "%(count)d reviews rejected; their authors are told why.",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
                return None  # back to the change list, with the message
        count = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject reviews"),
            "opts": self.opts,
            "form": form,
            "reviews": list(queryset.select_related("product")[:REJECT_PREVIEW]),
            "count": count,
            "more": max(count - REJECT_PREVIEW, 0),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": request.get_full_path(),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/reviews/review/reject.html", context)


# --- Read-only records -------------------------------------------------------------------


class ReadOnlyAdmin[M: Any](admin.ModelAdmin[M]):
    """Rows written by the services only; staff look, never change."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewReport)
class ReviewReportAdmin(ReadOnlyAdmin[ReviewReport]):
    """Every report by shoppers, newest first; each links to its review."""

    list_display = ("created_at", "review_link", "reason", "note", "user")
    list_filter = ("reason",)
    list_select_related = ("review", "user")
    search_fields = ("review__title", "user__email", "note")
    show_full_result_count = False
    ordering = ("-created_at", "-pk")
    fields = ("created_at", "review_link", "reason", "note", "user")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("review"))
    def review_link(self, report: ReviewReport) -> SafeString:
        url = reverse("admin:reviews_review_change", args=[report.review_id])
        return format_html('<a href="{}">{}</a>', url, str(report.review))


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin[Purchase]):
    """What makes a review verified: a product its author received in a
    delivered order (written by orders on delivery)."""

    list_display = ("delivered_at", "reference", "user", "product")
    list_select_related = ("user", "product")
    list_filter = (ProductFilter,)
    search_fields = ("reference", "user__email", "product__title")
    show_full_result_count = False
    ordering = ("-delivered_at", "-pk")
    fields = readonly_fields = ("user", "product", "variant", "reference", "delivered_at")
