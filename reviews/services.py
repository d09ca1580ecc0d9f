"""The verbs of reviews: write, edit and delete one's review, vote it helpful,
report it, moderate it, reply to it; record the purchases that verify it.

Every change that can move a product's rating takes the product's lock first
(``catalog.locks.products_lock``, always before any review row), then changes
the reviews, then recomputes the rating from the published reviews with one
aggregate query (``product_rating_refresh``). Under the lock that query sees
every change committed before, so two changes at once cannot leave a stale
average or count, and the lock order (product, then review) cannot deadlock.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.images import PreparedImage, image_files_delete_on_commit, renditions_save
from catalog.locks import products_lock
from catalog.models import Product, Variant
from catalog.page_cache import catalog_generation_bump
from catalog.services import Rating, product_rating_set
from notifications.services import notification_queue
from reviews.models import STARS, Purchase, Review, ReviewPhoto, ReviewReport, ReviewVote
from shop.sites import shop_url

TITLE_MAX = 120
BODY_MIN = 10
BODY_MAX = 5000
NAME_MAX = 60

# A link or an address in a review is how spam pays: such a review waits for
# a moderator, whoever wrote it.
_LINK = re.compile(
    r"(?:https?://|www\.|\b[\w-]+\.(?:com|net|org|info|biz|io|co|de|ru|cn|xyz|top|shop|online|site|ly|me)\b)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class ReviewRefused(ValidationError):
    """A review that may not be written, voted on or reported, with the
    reason for the person (as a form error or a 4xx)."""


def text_has_contact(text: str) -> bool:
    """Whether ``text`` holds a link or an email address.

    >>> text_has_contact("Buy cheap at www.example.com")
    True
    >>> text_has_contact("write to me: ada@example.org")
    True
    >>> text_has_contact("Fits well. 5.5 out of 5, would buy again.")
    False
    """
    return bool(_LINK.search(text) or _EMAIL.search(text))


# --- The rating ----------------------------------------------------------------------------


def rating_compute(counts: dict[int, int]) -> Rating:
    """A product's rating from how many published reviews gave each number
    of stars: count, average (2 places, half up), histogram and the Bayesian
    rank that "Top rated" sorts by.

    >>> rating = rating_compute({5: 1})
    >>> rating.count, rating.average, rating.score  # one 5-star review ranks
    (1, Decimal('5.00'), Decimal('3.750'))
    >>> rating_compute({5: 30, 4: 20}).score  # below fifty that average 4.6
    Decimal('4.500')
    >>> rating_compute({}).average is None
    True
    """
    count = sum(counts.values())
    if not count:  # as a product never reviewed: the column's default
        return Rating(count=0, average=None, histogram={}, score=None)
    histogram = {str(stars): counts.get(stars, 0) for stars in STARS}
    total = sum(stars * number for stars, number in counts.items())
    prior_count = settings.REVIEWS_RANK_PRIOR_COUNT
    prior_mean = Decimal(settings.REVIEWS_RANK_PRIOR_MEAN)
    return Rating(
        count=count,
        average=(Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP),
        histogram=histogram,
        score=((prior_count * prior_mean + total) / (prior_count + count)).quantize(
            Decimal("0.001"), ROUND_HALF_UP
        ),
    )


def product_rating_refresh(*, product_id: int) -> Rating:
    """Recompute a product's rating from its published reviews, in the
    database, and write it to the catalog. The caller holds the product's
    lock (``products_lock``), taken before this transaction's first change."""
    counts = dict(
        Review.objects.filter(product_id=product_id, status=Review.Status.PUBLISHED)
        .order_by()
        .values_list("rating")
        .annotate(number=Count("pk"))
        .values_list("rating", "number")
    )
    rating = rating_compute(counts)
    product_rating_set(product_id=product_id, rating=rating)
    return rating


def reviewed_product_ids() -> list[int]:
    """The products that have (or had) reviews, in primary-key order: those
    with a review, and those whose columns still show one."""
    with_reviews = set(Review.objects.order_by().values_list("product_id", flat=True).distinct())
    shown = set(Product.objects.filter(rating_count__gt=0).values_list("pk", flat=True))
    return sorted(with_reviews | shown)


@transaction.atomic
def product_ratings_rebuild(*, product_ids: Iterable[int]) -> int:
    """Recompute these products' ratings (after a change of the rank's
    prior, or a bulk load); returns how many."""
    ids = sorted(set(product_ids))
    products_lock(product_ids=ids)
    for product_id in ids:
        product_rating_refresh(product_id=product_id)
    return len(ids)


# --- Writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    """What the author wrote (a form's or the API's cleaned data)."""

    rating: int
    title: str
    body: str
    author_name: str
    variant: Variant | None = None
    photos_add: Sequence[tuple[object, PreparedImage]] = ()  # (upload, prepared)
    photos_remove: Sequence[int] = ()  # ids of the review's photos


def review_input_check(*, product: Product, data: ReviewInput) -> dict[str, str]:
    """The problems of ``data`` by field (empty when none): the form shows
    them, and ``review_write`` refuses the same."""
    errors: dict[str, str] = {}
    if not isinstance(data.rating, int) or not 1 <= data.rating <= 5:
        errors["rating"] = _("Choose from 1 to 5 stars.")
    if not data.title.strip():
        errors["title"] = _("Give your review a title.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _("Keep the title to %(max)d characters.") % {"max": TITLE_MAX}
    body = data.body.strip()
    if len(body) < BODY_MIN:
        errors["body"] = _("Write at least %(min)d characters about the product.") % {"min": BODY_MIN}
    elif len(body) > BODY_MAX:
        errors["body"] = _("Keep your review to %(max)d characters.") % {"max": BODY_MAX}
    if not data.author_name.strip() or len(data.author_name) > NAME_MAX:
        errors["author_name"] = _("Give the name to show, up to %(max)d characters.") % {"max": NAME_MAX}
    if data.variant is not None and data.variant.product_id != product.pk:
        errors["variant"] = _("Choose a variant of this product.")
    return errors


def variant_label(variant: Variant) -> str:
    """ "24 cm / Sky Blue" (or the SKU of a variant without options): the
    values in the order of their options, as the cart names a line
    (``option_values`` prefetched with their option)."""
    values = sorted(variant.option_values.all(), key=lambda value: (value.option.position, value.option.pk))
    return " / ".join(value.value for value in values)[:120] or variant.sku


def purchase_verified(*, user: AbstractBaseUser, product: Product) -> bool:
    """Whether the user received this product in a delivered order."""
    return Purchase.objects.filter(user_id=user.pk, product_id=product.pk).exists()


def _writes_today(user: AbstractBaseUser, *, exclude: int | None) -> int:
    since = timezone.now() - timedelta(days=1)
    reviews = Review.objects.filter(author_id=user.pk, updated_at__gte=since)
    return (reviews.exclude(pk=exclude) if exclude is not None else reviews).count()


def _status_for(*, review: Review, verified: bool, was: str | None) -> tuple[str, str]:
    """(status, held) of a review just written or edited."""
    if text_has_contact(f"{review.title}\n{review.body}"):
        return Review.Status.PENDING, Review.Held.LINKS
    if was == Review.Status.REJECTED:
        return Review.Status.PENDING, Review.Held.EDITED
    if not verified:
        return Review.Status.PENDING, Review.Held.UNVERIFIED
    if not settings.REVIEWS_PUBLISH_VERIFIED:
        return Review.Status.PENDING, Review.Held.SETTING
    return Review.Status.PUBLISHED, Review.Held.NONE


@transaction.atomic
def review_write(*, user: AbstractBaseUser, product: Product, data: ReviewInput) -> Review:
    """Write the user's review of ``product``, or edit it when they wrote one
    already (one per person and product). Raises ``ReviewRefused`` with the
    reason: invalid input, a purchase required and missing, too many reviews
    today, too many photos. A verified buyer's review publishes at once
    (``REVIEWS_PUBLISH_VERIFIED``) unless its text holds a link or an
    address; any other waits for a moderator."""
    errors = review_input_check(product=product, data=data)
    if errors:
        raise ReviewRefused(errors)
    products_lock(product_ids=[product.pk])
    review = Review.objects.filter(product=product, author_id=user.pk).first()
    verified = purchase_verified(user=user, product=product)
    if settings.REVIEWS_REQUIRE_PURCHASE and not verified:
        raise ReviewRefused(
            _("Only customers who received this product can review it."), code="purchase_required"
        )
    if _writes_today(user, exclude=review.pk if review else None) >= settings.REVIEWS_PER_DAY:
        raise ReviewRefused(
            _("You have written %(count)d reviews today; please come back tomorrow.")
            % {"count": settings.REVIEWS_PER_DAY},
            code="rate_limited",
        )
    photos = list(review.photos.all()) if review else []
    keep = [photo for photo in photos if photo.pk not in set(data.photos_remove)]
    if len(keep) + len(data.photos_add) > settings.REVIEWS_PHOTOS_MAX:
        raise ReviewRefused(
            {"photos": _("A review may have up to %(max)d photos.") % {"max": settings.REVIEWS_PHOTOS_MAX}}
        )
    was = review.status if review else None
    if review is None:
        review = Review(product=product, author_id=user.pk)
    review.rating = data.rating
    review.title = data.title.strip()
    review.body = data.body.strip()
    review.author_name = data.author_name.strip()
    review.variant = data.variant
    review.variant_label = variant_label(data.variant) if data.variant is not None else ""
    review.verified_purchase = verified
    review.status, review.held = _status_for(review=review, verified=verified, was=was)
    review.rejection_reason = ""
    if review.status == Review.Status.PUBLISHED and review.published_at is None:
        review.published_at = timezone.now()
    review.save()
    _photos_change(
        review=review, remove=[p for p in photos if p not in keep], add=data.photos_add, start=len(keep)
    )
    product_rating_refresh(product_id=product.pk)
    return review


def _photos_change(
    *, review: Review, remove: list[ReviewPhoto], add: Sequence[tuple[object, PreparedImage]], start: int
) -> None:
    for photo in remove:
        names = [photo.image.name or "", *photo.renditions.values()]
        photo.delete()
        image_files_delete_on_commit(storage=photo.image.storage, names=names)
    for position, (upload, prepared) in enumerate(add, start=start):
        photo = ReviewPhoto(review=review, position=position)
        photo.image = upload  # the descriptor wraps it in a FieldFile
        photo.save()
        photo.renditions = renditions_save(stored=photo.image, rendered=prepared.rendered)
        photo.width, photo.height = prepared.info.width, prepared.info.height
        photo.save(update_fields=["renditions", "width", "height"])


def photos_delete_on_commit(photos: Iterable[ReviewPhoto]) -> None:
    for photo in photos:
        image_files_delete_on_commit(
            storage=photo.image.storage, names=[photo.image.name or "", *photo.renditions.values()]
        )


@transaction.atomic
def review_delete(*, review: Review) -> None:
    """Delete a review (its author's choice) with its photos, votes and
    reports; the product's rating follows."""
    products_lock(product_ids=[review.product_id])
    photos_delete_on_commit(review.photos.all())
    review.delete()
    product_rating_refresh(product_id=review.product_id)


# --- Other shoppers ------------------------------------------------------------------------


@transaction.atomic
def review_vote_helpful(*, review: Review, user: AbstractBaseUser) -> bool:
    """Count the user's "helpful" vote, once; returns False when they had
    voted already. Not on one's own review, nor on one not published."""
    if review.author_id == user.pk:
        raise ReviewRefused(_("You cannot vote on your own review."), code="own_review")
    if review.status != Review.Status.PUBLISHED:
        raise ReviewRefused(_("This review is not published."), code="not_published")
    _vote, created = ReviewVote.objects.get_or_create(review=review, user_id=user.pk)
    if created:
        # F(): two votes at once both count (a unique row each, then +1 in SQL).
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    return created


@transaction.atomic
def review_report(*, review: Review, user: AbstractBaseUser, reason: str, note: str = "") -> bool:
    """Report a review to the moderators, once per person until a moderator
    looked at it; returns False when they had reported it already. ``REVIEWS_REPORTS_TO_HOLD`` reports since a
    moderator last looked take it off the page until one looks again."""
    if reason not in ReviewReport.Reason.values:
        raise ReviewRefused({"reason": _("Choose why you report this review.")})
    if review.author_id == user.pk:
        raise ReviewRefused(
            _("You cannot report your own review; edit or delete it instead."), code="own_review"
        )
    since = timezone.now() - timedelta(days=1)
    if ReviewReport.objects.filter(user_id=user.pk, created_at__gte=since).count() >= (
        settings.REVIEWS_REPORTS_PER_DAY
    ):
        raise ReviewRefused(
            _("You have sent many reports today; please come back tomorrow."), code="rate_limited"
        )
    products_lock(product_ids=[review.product_id])
    _report, created = ReviewReport.objects.get_or_create(
        review=review, user_id=user.pk, handled_at=None, defaults={"reason": reason, "note": note[:500]}
    )
    if not created:
        return False
    Review.objects.filter(pk=review.pk).update(report_count=F("report_count") + 1)
    held = Review.objects.filter(
        pk=review.pk, status=Review.Status.PUBLISHED, report_count__gte=settings.REVIEWS_REPORTS_TO_HOLD
    ).update(status=Review.Status.PENDING, held=Review.Held.REPORTED)
    if held:
        product_rating_refresh(product_id=review.product_id)
    return True


# --- Staff ---------------------------------------------------------------------------------


def _lock_products_of(reviews: QuerySet[Review]) -> list[Review]:
    """Lock the products of these reviews (primary-key order), then read them."""
    products_lock(product_ids=reviews.values_list("product_id", flat=True))
    return list(reviews.select_related("product", "author").order_by("pk"))


def _reports_handled(reviews: list[Review], *, now: datetime) -> None:
    """A moderator decided: the open reports are handled (their authors may
    report again later) and the count starts over."""
    ReviewReport.objects.filter(review__in=reviews, handled_at__isnull=True).update(handled_at=now)


def _tell_author(*, review: Review, kind: str, occasion: datetime, params: dict[str, str]) -> None:
    notification_queue(
        kind=kind,
        key=f"{review.pk}:{occasion.isoformat()}",
        context={
            "review": {"title": review.title, "rating": review.rating, "body": review.body},
            "product_title": review.product.title,
            "reason": review.rejection_reason,
            "reply": review.reply,
            "review_url": shop_url(review.get_absolute_url()),
            "edit_url": shop_url(reverse("reviews:write", kwargs={"slug": review.product.slug})),
        },
        params={"product": review.product.title, **params},
        email=review.author.email,
        user=review.author,
        link=review.get_absolute_url()
        if review.status == Review.Status.PUBLISHED
        else reverse("reviews:mine"),
    )


@transaction.atomic
def reviews_approve(*, review_ids: Iterable[int], by: AbstractBaseUser) -> int:
    """Publish these reviews (a moderator's approval clears their reports);
    an author whose review goes live for the first time is told."""
    reviews = _lock_products_of(Review.objects.filter(pk__in=list(review_ids)))
    now = timezone.now()
    for review in reviews:
        first = review.published_at is None
        review.status, review.held, review.rejection_reason = Review.Status.PUBLISHED, Review.Held.NONE, ""
        review.report_count = 0
        review.published_at = review.published_at or now
        review.moderated_at, review.moderated_by = now, by  # type: ignore[assignment]
        review.save(update_fields=[
            "status", "held", "rejection_reason", "report_count", "published_at", "moderated_at",
            "moderated_by", "updated_at",
        ])  # fmt: skip
        if first:
            _tell_author(review=review, kind="reviews.published", occasion=now, params={})
    _reports_handled(reviews, now=now)
    for product_id in sorted({review.product_id for review in reviews}):
        product_rating_refresh(product_id=product_id)
    return len(reviews)


@transaction.atomic
def reviews_reject(*, review_ids: Iterable[int], by: AbstractBaseUser, reason: str) -> int:
    """Reject these reviews with a reason, which their authors are told
    (reviews rejected already are left as they are: no second message)."""
    reason = reason.strip()
    if not reason:
        raise ReviewRefused({"reason": _("Say why: the author is told.")})
    reviews = _lock_products_of(
        Review.objects.filter(pk__in=list(review_ids)).exclude(status=Review.Status.REJECTED)
    )
    now = timezone.now()
    for review in reviews:
        review.status, review.held, review.rejection_reason = Review.Status.REJECTED, Review.Held.NONE, reason
        review.report_count = 0
        review.moderated_at, review.moderated_by = now, by  # type: ignore[assignment]
        review.save(update_fields=[
            "status", "held", "rejection_reason", "report_count", "moderated_at", "moderated_by",
            "updated_at",
        ])  # fmt: skip
        _tell_author(review=review, kind="reviews.rejected", occasion=now, params={})
    _reports_handled(reviews, now=now)
    for product_id in sorted({review.product_id for review in reviews}):
        product_rating_refresh(product_id=product_id)
    return len(reviews)


@transaction.atomic
def review_reply_set(*, review: Review, reply: str, by: AbstractBaseUser) -> Review:
    """Set (or clear, with an empty text) the shop's public reply; the
    author is told of a new reply to a published review."""
    reply = reply.strip()
    # The stored reply, not the object's: a form may have set the new one on it.
    if reply == Review.objects.filter(pk=review.pk).values_list("reply", flat=True).get():
        return review
    now = timezone.now()
    review.reply, review.replied_at = reply, (now if reply else None)
    review.replied_by = by if reply else None  # type: ignore[assignment]
    review.save(update_fields=["reply", "replied_at", "replied_by", "updated_at"])
    if review.status == Review.Status.PUBLISHED:
        catalog_generation_bump()  # the product page shows it
    if reply and review.status == Review.Status.PUBLISHED:
        _tell_author(review=review, kind="reviews.replied", occasion=now, params={})
    return review


# --- Purchases (told by orders) -------------------------------------------------------------


@transaction.atomic
def purchases_record(
    *, user: AbstractBaseUser, reference: str, variants: Iterable[Variant], delivered_at: datetime
) -> int:
    """Record that the user received these variants in order ``reference``
    (orders calls this when it is delivered, or when a delivered guest order
    joins the account); their reviews of those products become verified.
    Returns how many products were new to the record."""
    by_product = {variant.product_id: variant for variant in variants}
    created = 0
    for product_id, variant in sorted(by_product.items()):
        _purchase, new = Purchase.objects.get_or_create(
            user_id=user.pk,
            product_id=product_id,
            reference=reference,
            defaults={"variant": variant, "delivered_at": delivered_at},
        )
        created += new
    if Review.objects.filter(
        author_id=user.pk, product_id__in=list(by_product), verified_purchase=False
    ).update(verified_purchase=True):
        catalog_generation_bump()  # the badge shows on the product page
    return created


def review_request_queue(
    *, reference: str, email: str, user: AbstractBaseUser | None, variants: Iterable[Variant]
) -> None:
    """Owe the "how do you like it?" email for a delivered order: one per
    order, with a link straight to the review form of each product (with the
    variant bought) the person has not reviewed yet; nothing when none is left."""
    by_product: dict[int, Variant] = {}
    for variant in variants:
        by_product.setdefault(variant.product_id, variant)
    reviewed = (
        set(
            Review.objects.filter(author_id=user.pk, product_id__in=list(by_product)).values_list(
                "product_id", flat=True
            )
        )
        if user is not None
        else set()
    )
    products = {
        product.pk: product
        for product in Product.objects.filter(
            pk__in=[pk for pk in by_product if pk not in reviewed], is_active=True
        )
    }
    if not products:
        return
    paths = {
        pk: f"{reverse('reviews:write', kwargs={'slug': product.slug})}?variant={by_product[pk].pk}"
        for pk, product in products.items()
    }
    items = [
        {"title": product.title, "url": shop_url(paths[product.pk])}
        for product in sorted(products.values(), key=lambda product: product.title)
    ]
    notification_queue(
        kind="reviews.request",
        key=reference,
        context={"items": items, "number": reference},
        params={"number": reference},
        email=email,
        user=user,
        link=next(iter(paths.values())) if len(paths) == 1 else reverse("reviews:mine"),
    )
