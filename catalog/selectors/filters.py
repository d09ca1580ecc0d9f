"""What a shopper narrows a listing by: the parsed filters, the categories,
brands and tags they name (looked up in one query), and the products that
pass them."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext as _

from catalog.models import Brand, Category, Product, ProductOptionValue, Tag

# The rows a listing's filters name: {kind: {slug: (pk, name, path)}} for the
# kinds "category", "brand" and "tag" (the path is a category's only).
type FoundRows = dict[str, dict[str, tuple[int, str, str]]]


@dataclass(frozen=True)
class ListingFilters:
    """What a shopper narrows a listing by, already parsed (catalog/forms.py)."""

    q: str = ""
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()  # (option name, value), e.g. ("Size", "M")
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    rating: int | None = None
    sort: str = ""


def filters_resolve(*, filters: ListingFilters, include_inactive: bool) -> tuple[FoundRows, list[str]]:
    """The categories, brands and tags named in ``filters`` in one query:
    {kind: {slug: (pk, name, path)}}, and a note for each unknown slug."""
    parts: list[QuerySet[Any, Any]] = []
    fields = ("kind", "pk", "slug", "name", "path")
    if filters.categories:
        categories = Category.objects.filter(slug__in=filters.categories)
        if not include_inactive:
            categories = categories.filter(is_active=True)
        parts.append(
            categories.annotate(kind=Value("category"), path_=F("path")).values_list(*fields[:-1], "path_")
        )
    named: tuple[tuple[str, QuerySet[Any, Any], tuple[str, ...]], ...] = (
        ("brand", Brand.objects.all(), filters.brands),
        ("tag", Tag.objects.all(), filters.tags),
    )
    for kind, queryset, slugs in named:
        if slugs:
            parts.append(
                queryset.filter(slug__in=slugs)
                .annotate(kind=Value(kind), path_=Value(""))
                .values_list(*fields[:-1], "path_")
            )
    found: FoundRows = {"category": {}, "brand": {}, "tag": {}}
    if parts:
        rows = parts[0].order_by()
        if len(parts) > 1:
            rows = rows.union(*(p.order_by() for p in parts[1:]), all=True).order_by()
        for kind, pk, slug, name, path in rows:
            found[kind][slug] = (pk, name, path)
    notes: list[str] = []
    for kind, slugs, message in (
        ("category", filters.categories, _("There is no category “%(slug)s”, so that filter was ignored.")),
        ("brand", filters.brands, _("There is no brand “%(slug)s”, so that filter was ignored.")),
        ("tag", filters.tags, _("There is no tag “%(slug)s”, so that filter was ignored.")),
    ):
        notes.extend(message % {"slug": slug} for slug in slugs if slug not in found[kind])
    return found, notes


def products_filter(
    *,
    queryset: QuerySet[Product],
    filters: ListingFilters,
    found: FoundRows,
    category: Category | None,
) -> QuerySet[Product]:
    """``queryset`` narrowed by ``filters`` (their slugs as ``found`` by
    ``filters_resolve``) and to ``category`` with its descendants."""
    through_categories = Product.categories.through.objects
    for paths in (
        [category.path] if category else [],
        [path for _pk, _name, path in found["category"].values()],
    ):
        if paths:
            in_tree = Q()
            for path in paths:
                in_tree |= Q(category__path__startswith=path)
            queryset = queryset.filter(Exists(through_categories.filter(in_tree, product_id=OuterRef("pk"))))
    if found["brand"]:
        queryset = queryset.filter(brand_id__in=[pk for pk, _name, _path in found["brand"].values()])
    if found["tag"]:
        tag_ids = [pk for pk, _name, _path in found["tag"].values()]
        queryset = queryset.filter(
            Exists(Product.tags.through.objects.filter(product_id=OuterRef("pk"), tag_id__in=tag_ids))
        )
    # Values of one option widen (Size M or L), different options narrow (and Colour red).
    by_option: dict[str, list[str]] = {}
    for name, value in filters.options:
        by_option.setdefault(name, []).append(value)
    for name, values in by_option.items():
        queryset = queryset.filter(
            Exists(
                ProductOptionValue.objects.filter(
                    option__product=OuterRef("pk"), option__name=name, value__in=values
                )
            )
        )
    if filters.min_price is not None:
        queryset = queryset.filter(price_min__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price_min__lte=filters.max_price)
    if filters.in_stock:
        queryset = queryset.filter(in_stock=True)
    if filters.rating is not None:
        queryset = queryset.filter(rating_average__gte=filters.rating)
    return queryset
