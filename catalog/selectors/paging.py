"""The order and the pages of a listing: the sorts a shopper may choose, the
ordering behind each, the page sizes, and a paginator that does not count."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, OrderBy, QuerySet
from django.utils.translation import gettext_lazy

from catalog import search
from catalog.models import Product

PER_PAGE_CHOICES = (12, 24, 48)
DEFAULT_PER_PAGE = 24


class Sort(models.TextChoices):
    RELEVANCE = "relevance", gettext_lazy("Relevance")
    NEWEST = "newest", gettext_lazy("Newest")
    PRICE_ASC = "price_asc", gettext_lazy("Price: low to high")
    PRICE_DESC = "price_desc", gettext_lazy("Price: high to low")
    BEST_SELLING = "best_selling", gettext_lazy("Best selling")
    TOP_RATED = "top_rated", gettext_lazy("Top rated")


# Each ordering ends with the primary key so that pages never overlap.
ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    Sort.RELEVANCE: search.SEARCH_ORDERING,
    Sort.NEWEST: ("-created_at", "-pk"),
    Sort.PRICE_ASC: (F("price_min").asc(nulls_last=True), "-pk"),
    Sort.PRICE_DESC: (F("price_min").desc(nulls_last=True), "-pk"),
    Sort.BEST_SELLING: ("-units_sold", "-pk"),
    # The Bayesian rank of the reviews app: one 5-star review does not
    # outrank fifty that average 4.6 (docs/decisions.md).
    Sort.TOP_RATED: (F("rating_score").desc(nulls_last=True), "-rating_count", "-pk"),
}


def sort_choose(*, requested: str, query: str) -> str:
    """The sort a listing uses: the one asked for when it is known, else
    relevance for a search and newest first without one (relevance means
    nothing without a query)."""
    sort = requested if requested in ORDERINGS else ""
    if not sort or (sort == Sort.RELEVANCE and not query):
        sort = Sort.RELEVANCE if query else Sort.NEWEST
    return sort


class CountedPaginator(Paginator[Product]):
    """A paginator told its count (the facet query computes it) instead of counting again."""

    def __init__(self, object_list: QuerySet[Product], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
