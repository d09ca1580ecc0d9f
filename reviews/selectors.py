"""The questions about reviews: a product's page of reviews, one review, a
person's own."""

from dataclasses import dataclass, field
from math import ceil

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from reviews.models import STARS, Review, ReviewPhoto, ReviewVote


class ReviewSort(TextChoices):
    HELPFUL = "helpful", _("Most helpful")
    NEWEST = "newest", _("Newest")
    HIGHEST = "highest", _("Highest rating")
    LOWEST = "lowest", _("Lowest rating")


ORDERINGS: dict[str, tuple[str, ...]] = {
    ReviewSort.HELPFUL: ("-helpful_count", "-published_at", "-pk"),
    ReviewSort.NEWEST: ("-published_at", "-pk"),
    ReviewSort.HIGHEST: ("-rating", "-published_at", "-pk"),
    ReviewSort.LOWEST: ("rating", "-published_at", "-pk"),
}


@dataclass(frozen=True)
class HistogramRow:
    stars: int
    count: int
    percent: int  # of all published reviews, for the bar


@dataclass
class ReviewPage:
    """The reviews a product page shows: its histogram (from the product's
    columns), the page of reviews under the chosen filter and sort, and the
    signed-in person's own review, whatever its status."""

    product: Product
    histogram: list[HistogramRow]
    stars: int | None
    sort: str
    number: int
    num_pages: int
    total: int  # under the filter
    reviews: list[Review] = field(default_factory=list)
    own: Review | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _histogram(product: Product) -> list[HistogramRow]:
    counts = product.rating_histogram or {}
    total = product.rating_count
    return [
        HistogramRow(
            stars=stars,
            count=int(counts.get(str(stars), 0)),
            percent=round(100 * int(counts.get(str(stars), 0)) / total) if total else 0,
        )
        for stars in reversed(STARS)
    ]


def published_reviews(*, product: Product) -> QuerySet[Review]:
    return Review.objects.filter(product=product, status=Review.Status.PUBLISHED)


def product_review_page(
    *,
    product: Product,
    stars: int | None = None,
    sort: str = ReviewSort.HELPFUL,
    page: int = 1,
    user: AbstractBaseUser | None = None,
) -> ReviewPage:
    """A page of the product's published reviews in two queries (the
    reviews, their photos) whatever the page size; the counts come from the
    product's rating columns. For a signed-in ``user`` each review says
    whether they voted it helpful, and their own review comes with a third."""
    histogram = _histogram(product)
    total = (
        product.rating_count if stars is None else next(row.count for row in histogram if row.stars == stars)
    )
    size = settings.REVIEWS_PAGE_SIZE
    num_pages = max(1, ceil(total / size))
    number = min(max(page, 1), num_pages)
    sort = sort if sort in ORDERINGS else ReviewSort.HELPFUL
    result = ReviewPage(
        product=product,
        histogram=histogram,
        stars=stars,
        sort=sort,
        number=number,
        num_pages=num_pages,
        total=total,
    )
    signed_in = user if user is not None and user.is_authenticated else None
    if total:
        reviews = published_reviews(product=product).prefetch_related(
            Prefetch("photos", queryset=ReviewPhoto.objects.order_by("position", "pk"))
        )
        if stars is not None:
            reviews = reviews.filter(rating=stars)
        if signed_in is not None:
            reviews = reviews.annotate(
                voted=Exists(ReviewVote.objects.filter(review=OuterRef("pk"), user_id=signed_in.pk))
            )
        start = (number - 1) * size
        result.reviews = list(reviews.order_by(*ORDERINGS[sort])[start : start + size])
        for review in result.reviews:
            review.product = product  # their links name it: no query each
    if signed_in is not None:
        result.own = Review.objects.filter(product=product, author_id=signed_in.pk).first()
    return result


def review_get_published(*, product_slug: str, pk: int) -> Review:
    """A published review of an active product, for its own page; raises
    ``Review.DoesNotExist`` otherwise."""
    return (
        Review.objects.select_related("product", "product__brand")
        .prefetch_related("photos")
        .get(pk=pk, product__slug=product_slug, product__is_active=True, status=Review.Status.PUBLISHED)
    )


def review_get_own(*, user: AbstractBaseUser, product: Product) -> Review | None:
    """The user's review of the product, if they wrote one."""
    return Review.objects.filter(product=product, author_id=user.pk).prefetch_related("photos").first()


def review_get_for_author(*, user: AbstractBaseUser, pk: int) -> Review:
    """The user's own review by id; another person's is ``Review.DoesNotExist`` (a 404)."""
    return Review.objects.select_related("product").get(pk=pk, author_id=user.pk)


def review_get_for_shopper(*, pk: int, product_slug: str) -> Review:
    """A published review that another shopper may vote on or report."""
    return Review.objects.select_related("product").get(
        pk=pk, product__slug=product_slug, status=Review.Status.PUBLISHED
    )


def reviews_of(*, user: AbstractBaseUser) -> QuerySet[Review]:
    """The user's reviews, newest first, with their products and photos."""
    return (
        Review.objects.filter(author_id=user.pk)
        .select_related("product")
        .prefetch_related("photos")
        .order_by("-created_at", "-pk")
    )
