"""Shopper pages of reviews: write (or edit) one's review, delete it, vote a
review helpful, report one, a review's own page (shared links land there),
and one's own reviews. The product page shows reviews through the
``reviews`` template tags (``reviews/templatetags/reviews.py``)."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from analytics.events import Name, track
from catalog.selectors import product_get_for_page
from reviews.forms import ReportForm, ReviewForm
from reviews.models import Review
from reviews.selectors import (
    review_get_for_author,
    review_get_for_shopper,
    review_get_own,
    review_get_published,
    reviews_of,
)
from reviews.services import ReviewRefused, review_delete, review_report, review_vote_helpful, review_write


def _user(request: HttpRequest) -> AbstractBaseUser:
    return cast(AbstractBaseUser, request.user)  # behind login_required


def _product(slug: str) -> Any:
    """An active product with its variants (catalog's selector), or a 404."""
    try:
        return product_get_for_page(slug=slug)
    except ObjectDoesNotExist:  # the product's DoesNotExist, without importing catalog's models
        raise Http404(_("No such product.")) from None


def _shopper_review(slug: str, pk: int) -> Review:
    """A published review another shopper may vote on or report, or a 404."""
    try:
        return review_get_for_shopper(pk=pk, product_slug=slug)
    except Review.DoesNotExist:
        raise Http404(_("No such review.")) from None


def _reviews_url(product: Any) -> str:
    return f"{product.get_absolute_url()}#reviews"


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _default_name(user: Any) -> str:
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first:
        return f"{first} {last[:1]}." if last else first
    return ""


def _form_refusal(form: ReviewForm, error: ReviewRefused) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_write_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Write one's review of a product, or edit the one written before."""
    product = _product(slug)
    own = review_get_own(user=_user(request), product=product)
    variants = getattr(product, "active_variants", [])
    photos = list(own.photos.all()) if own else []
    if request.method == "POST":
        form = ReviewForm(request.POST, request.FILES, variants=variants, photos=photos)
        if form.is_valid():
            try:
                review = review_write(user=_user(request), product=product, data=form.review_input())
            except ReviewRefused as error:
                _form_refusal(form, error)
            else:
                track(request, Name.REVIEW_WRITTEN, product_id=product.pk, quantity=review.rating)
                if review.status == review.Status.PUBLISHED:
                    messages.success(request, _("Thank you: your review is published."))
                else:
                    messages.success(
                        request, _("Thank you: your review is saved and will show once our team has read it.")
                    )
                return redirect(_reviews_url(product))
    else:
        chosen = request.GET.get("variant", "")
        initial = (
            {
                "rating": own.rating, "title": own.title, "body": own.body, "author_name": own.author_name,
                "variant": own.variant_id,
            }
            if own
            else {"author_name": _default_name(request.user), "variant": chosen if chosen.isdigit() else None}
        )  # fmt: skip
        form = ReviewForm(initial=initial, variants=variants, photos=photos)
    # A form with errors is shown again, as the shop's other forms are (200).
    context = {"product": product, "form": form, "own": own, "photos": photos}
    return render(request, "reviews/review_form.html", context)


@login_required
@require_POST
def review_delete_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    try:
        review = review_get_for_author(user=_user(request), pk=pk)
    except Review.DoesNotExist:
        raise Http404(_("No such review of yours.")) from None
    review_delete(review=review)
    messages.success(request, _("Your review is deleted."))
    return redirect(_back(request, _reviews_url(review.product)))


@login_required
@require_POST
def review_helpful_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """ "Was this helpful? Yes": once per person, not on one's own review."""
    review = _shopper_review(slug, pk)
    back = _back(request, f"{review.product.get_absolute_url()}#review-{review.pk}")
    try:
        counted = review_vote_helpful(review=review, user=_user(request))
    except ReviewRefused as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if counted:
        messages.success(request, _("Thank you for your feedback."))
    else:
        messages.info(request, _("You told us already that this review helped you."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_report_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Report a review to the moderators: why, and a note."""
    review = _shopper_review(slug, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = review_report(
                review=review,
                user=_user(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ReviewRefused as error:
            form.add_error(None, error)
        else:
            if new:
                messages.success(request, _("Thank you: our team will look at this review."))
            else:
                messages.info(request, _("You reported this review already; our team will look at it."))
            return redirect(f"{review.product.get_absolute_url()}#reviews")
    return render(request, "reviews/review_report.html", {"review": review, "form": form})


@require_safe
def review_detail_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A published review's own page: the link a shopper shares."""
    try:
        review = review_get_published(product_slug=slug, pk=pk)
    except Review.DoesNotExist:
        raise Http404(_("No such review.")) from None
    return render(request, "reviews/review_detail.html", {"review": review, "product": review.product})


@login_required
@require_safe
def reviews_mine_view(request: HttpRequest) -> HttpResponse:
    """The signed-in person's reviews, whatever their status."""
    return render(
        request, "reviews/review_list_mine.html", {"reviews": list(reviews_of(user=_user(request)))}
    )


@require_safe
def reviews_anchor_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /products/<slug>/reviews/: the reviews are on the product page."""
    return redirect(f"{_product(slug).get_absolute_url()}#reviews")


def reviews_view(request: HttpRequest, slug: str) -> HttpResponse:
    """/products/<slug>/reviews/: POST writes a review (the URL contract),
    GET leads to the product page's reviews."""
    if request.method == "POST":
        return review_write_view(request, slug)
    return reviews_anchor_view(request, slug)
