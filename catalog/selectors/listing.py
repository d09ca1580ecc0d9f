"""Listing, category and search: filters, facets, sorting, pagination."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import (
    Exists,
    F,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import search
from catalog.models import Brand, Category, Product, ProductImage, ProductOptionValue, Tag
from catalog.page_cache import catalog_generation

# --- Listing, category and search --------------------------------------------

PER_PAGE_CHOICES = (12, 24, 48)
DEFAULT_PER_PAGE = 24
# Below this many results a search also offers "did you mean ...".
FEW_RESULTS = 3
FACETS_CACHE_SECONDS = 60


class Sort(models.TextChoices):
    RELEVANCE = "relevance", gettext_lazy("Relevance")
    NEWEST = "newest", gettext_lazy("Newest")
    PRICE_ASC = "price_asc", gettext_lazy("Price: low to high")
    PRICE_DESC = "price_desc", gettext_lazy("Price: high to low")
    BEST_SELLING = "best_selling", gettext_lazy("Best selling")
    TOP_RATED = "top_rated", gettext_lazy("Top rated")


# Each ordering ends with the primary key so that pages never overlap.
_ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    Sort.RELEVANCE: search.SEARCH_ORDERING,
    Sort.NEWEST: ("-created_at", "-pk"),
    Sort.PRICE_ASC: (F("price_min").asc(nulls_last=True), "-pk"),
    Sort.PRICE_DESC: (F("price_min").desc(nulls_last=True), "-pk"),
    Sort.BEST_SELLING: ("-units_sold", "-pk"),
    Sort.TOP_RATED: (F("rating_average").desc(nulls_last=True), "-rating_count", "-pk"),
}
# What a product card reads: denormalised columns only, never variants.
_CARD_FIELDS = (
    "id", "title", "slug", "is_active", "created_at", "price_min", "price_max", "in_stock",
    "units_sold", "rating_average", "rating_count", "brand__name", "brand__slug",
    "sale_price_min", "offer_label",  # written by the promotions app
)  # fmt: skip


def product_card_images() -> Prefetch[str]:
    """Prefetch each product's first image (by position) into
    ``product.card_images`` (a list of at most one), in one query whatever
    the number of images; ``catalog/_product_card.html`` reads it."""
    first = ProductImage.objects.annotate(
        row=Window(RowNumber(), partition_by=F("product_id"), order_by=(F("position").asc(), F("pk").asc()))
    ).filter(row=1)
    return Prefetch("images", queryset=first, to_attr="card_images")


def product_cards(*, queryset: QuerySet[Product]) -> QuerySet[Product]:
    """``queryset`` with what ``catalog/_product_card.html`` needs: the card's
    columns, the brand, the first image; evaluate it (or slice it) as usual."""
    return queryset.select_related("brand").only(*_CARD_FIELDS).prefetch_related(product_card_images())


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


@dataclass(frozen=True)
class FacetValue:
    value: str  # as in the query string
    label: str
    count: int
    selected: bool = False


@dataclass
class Facets:
    total: int = 0
    in_stock: int = 0
    price_low: Decimal | None = None
    price_high: Decimal | None = None
    categories: list[FacetValue] = field(default_factory=list)
    brands: list[FacetValue] = field(default_factory=list)
    tags: list[FacetValue] = field(default_factory=list)
    options: dict[str, list[FacetValue]] = field(default_factory=dict)
    ratings: list[FacetValue] = field(default_factory=list)  # "4" = rated 4 and up


@dataclass
class Listing:
    page: Page[Product]
    facets: Facets
    sort: str
    query: str = ""
    fuzzy: bool = False  # the results are the typo-tolerant fallback's
    suggestions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Labels of the applied filters, by query-string name and value.
    labels: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class CategoryPage:
    category: Category
    ancestors: list[Category]
    children: list[Category]


class _CountedPaginator(Paginator[Product]):
    """A paginator told its count (the facet query computes it) instead of counting again."""

    def __init__(self, object_list: QuerySet[Product], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def category_page_get(*, slug: str, include_inactive: bool = False) -> CategoryPage:
    """A category with its ancestors (root first) and children, in two
    queries. Shoppers (not ``include_inactive``) get ``Category.DoesNotExist``
    for an inactive category or one below an inactive category, and see only
    active children."""
    category = Category.objects.get(slug=slug, **({} if include_inactive else {"is_active": True}))
    ancestor_ids = [int(pk) for pk in category.path.strip("/").split("/") if pk][:-1]
    family = list(
        Category.objects.filter(Q(pk__in=ancestor_ids) | Q(parent=category)).order_by(
            "depth", "position", "name"
        )
    )
    ancestors = [c for c in family if c.pk in ancestor_ids]
    if not include_inactive and not all(c.is_active for c in ancestors):
        raise Category.DoesNotExist
    children = [c for c in family if c.parent_id == category.pk and (include_inactive or c.is_active)]
    return CategoryPage(category=category, ancestors=ancestors, children=children)


def _filters_resolve(
    *, filters: ListingFilters, include_inactive: bool
) -> tuple[dict[str, dict[str, tuple[int, str, str]]], list[str]]:
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
    found: dict[str, dict[str, tuple[int, str, str]]] = {"category": {}, "brand": {}, "tag": {}}
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


def _products_filter(
    *,
    queryset: QuerySet[Product],
    filters: ListingFilters,
    found: dict[str, dict[str, tuple[int, str, str]]],
    category: Category | None,
) -> QuerySet[Product]:
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


def _table(model: type[models.Model] | Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _facets_compute(
    *,
    queryset: QuerySet[Product],
    parent: Category | None,
    include_inactive: bool,
    unfiltered: Mapping[str, QuerySet[Product]] | None = None,
) -> Facets:
    """Every facet of the result in ONE query (a CTE of the hits and a UNION
    ALL of one GROUP BY per facet; PostgreSQL and SQLite alike): the total,
    in-stock count and price range, then brands, tags, option values, rating
    buckets and the subcategories of ``parent`` (roots without one) counting
    their descendants' products.

    ``unfiltered`` holds, for "brand", "tag" and "option", the result without
    that kind's own filter: its counts come from there, so that choosing one
    brand still offers the others (values of one kind widen the result)."""
    hits = queryset.order_by().values("pk", "brand_id", "in_stock", "price_min", "rating_average")
    try:
        hits_sql, hits_params = hits.query.sql_with_params()
        own: dict[str, tuple[str, tuple[Any, ...]]] = {
            kind: rows.order_by().values("pk", "brand_id").query.sql_with_params()
            for kind, rows in (unfiltered or {}).items()
        }
    except EmptyResultSet:  # e.g. a search without a single word: nothing to count
        return Facets()
    extra_ctes = "".join(
        f", {kind}_hits (id, brand_id) AS ({own_sql})" for kind, (own_sql, _p) in own.items()
    )
    extra_params = [param for _sql, params in own.values() for param in params]

    def source(kind: str) -> str:
        return f"{kind}_hits" if kind in own else "hits"

    category_through = Product.categories.through
    tag_through = Product.tags.through
    product_option = ProductOptionValue._meta.get_field("option").related_model
    category_parent = "c.parent_id = %s" if parent else "c.parent_id IS NULL"
    category_params: list[Any] = [parent.pk] if parent else []
    if not include_inactive:
        category_parent += " AND c.is_active = %s"
        category_params.append(True)
    sql = f"""
        WITH hits (id, brand_id, in_stock, price, rating) AS ({hits_sql}){extra_ctes}
        SELECT 'summary' AS kind, CAST(NULL AS VARCHAR(255)) AS key, CAST(NULL AS VARCHAR(255)) AS label,
               COUNT(*) AS n, SUM(CASE WHEN h.in_stock THEN 1 ELSE 0 END) AS n2,
               MIN(h.price) AS low, MAX(h.price) AS high
          FROM hits h
        UNION ALL
        SELECT 'brand', b.slug, b.name, COUNT(*), NULL, NULL, NULL
          FROM {source("brand")} h JOIN {_table(Brand)} b ON b.id = h.brand_id
         GROUP BY b.slug, b.name
        UNION ALL
        SELECT 'tag', t.slug, t.name, COUNT(*), NULL, NULL, NULL
          FROM {source("tag")} h JOIN {_table(tag_through)} pt ON pt.product_id = h.id
          JOIN {_table(Tag)} t ON t.id = pt.tag_id
         GROUP BY t.slug, t.name
        UNION ALL
        SELECT 'option', o.name, v.value, COUNT(DISTINCT h.id), AVG(v.position), NULL, NULL
          FROM {source("option")} h JOIN {_table(product_option)} o ON o.product_id = h.id
          JOIN {_table(ProductOptionValue)} v ON v.option_id = o.id
         GROUP BY o.name, v.value
        UNION ALL
        SELECT 'rating', CASE WHEN h.rating >= 4 THEN '4' WHEN h.rating >= 3 THEN '3'
                              WHEN h.rating >= 2 THEN '2' ELSE '1' END, NULL, COUNT(*), NULL, NULL, NULL
          FROM hits h WHERE h.rating >= 1
         GROUP BY 2
        UNION ALL
        SELECT 'category', c.slug, c.name, COUNT(DISTINCT h.id), MIN(c.position), NULL, NULL
          FROM hits h JOIN {_table(category_through)} pc ON pc.product_id = h.id
          JOIN {_table(Category)} sub ON sub.id = pc.category_id
          JOIN {_table(Category)} c ON sub.path LIKE c.path || '%%'
         WHERE {category_parent}
         GROUP BY c.slug, c.name
    """  # noqa: S608 (only table names are interpolated; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*hits_params, *extra_params, *category_params])
        rows = cursor.fetchall()
    facets = Facets()
    rating_counts: dict[str, int] = {}
    options: dict[str, list[tuple[int, FacetValue]]] = {}
    categories: list[tuple[int, FacetValue]] = []
    for kind, key, label, count, extra, low, high in rows:
        if kind == "summary":
            facets.total, facets.in_stock = count, int(extra or 0)
            facets.price_low = None if low is None else Decimal(str(low)).quantize(Decimal("0.01"))
            facets.price_high = None if high is None else Decimal(str(high)).quantize(Decimal("0.01"))
        elif kind == "brand":
            facets.brands.append(FacetValue(key, label, count))
        elif kind == "tag":
            facets.tags.append(FacetValue(key, label, count))
        elif kind == "option":
            options.setdefault(key, []).append((extra, FacetValue(f"{key}:{label}", label, count)))
        elif kind == "rating":
            rating_counts[key] = count
        elif kind == "category":
            categories.append((extra, FacetValue(key, label, count)))
    facets.brands.sort(key=lambda v: (-v.count, v.label.lower()))
    facets.tags.sort(key=lambda v: (-v.count, v.label.lower()))
    facets.categories = [
        value for _position, value in sorted(categories, key=lambda c: (c[0], c[1].label.lower()))
    ]
    facets.options = {
        name: [value for _position, value in sorted(values, key=lambda v: (v[0], v[1].label.lower()))]
        for name, values in sorted(
            options.items(), key=lambda item: (-sum(v.count for _p, v in item[1]), item[0])
        )
    }
    # "4 and up" counts the products rated 4 or more, and so on.
    running = 0
    for stars in ("4", "3", "2", "1"):
        running += rating_counts.get(stars, 0)
        if running:
            facets.ratings.append(FacetValue(stars, stars, running))
    return facets


def _facets_cached(
    *,
    filters: ListingFilters,
    products: QuerySet[Product],
    parent: Category | None,
    include_inactive: bool,
    fuzzy: bool = False,
    unfiltered: Mapping[str, QuerySet[Product]] | None = None,
) -> Facets:
    """Shoppers' facets (with the total) come from the cache for a minute:
    the same for every visitor, and they read every product of the result
    (0.13 s for the whole catalog at 20,000 products). The key holds the
    catalog generation, so any catalog change counts afresh. Staff always
    count afresh."""
    if include_inactive:
        return _facets_compute(
            queryset=products, parent=parent, include_inactive=include_inactive, unfiltered=unfiltered
        )
    signature = (
        replace(filters, sort="", q=search.search_query_clean(filters.q)),
        parent.pk if parent else None,
        fuzzy,
    )
    # The generation makes the counts follow every catalog change at once.
    key = f"catalog:facets:{catalog_generation()}:" + hashlib.sha256(repr(signature).encode()).hexdigest()
    facets: Facets | None = cache.get(key)
    if facets is None:
        facets = _facets_compute(
            queryset=products, parent=parent, include_inactive=include_inactive, unfiltered=unfiltered
        )
        cache.set(key, facets, FACETS_CACHE_SECONDS)
    return facets


def _facets_mark_selected(*, facets: Facets, filters: ListingFilters) -> None:
    def mark(values: list[FacetValue], chosen: Iterable[str]) -> list[FacetValue]:
        chosen = set(chosen)
        return [replace(v, selected=v.value in chosen) for v in values]

    facets.brands = mark(facets.brands, filters.brands)
    facets.tags = mark(facets.tags, filters.tags)
    facets.categories = mark(facets.categories, filters.categories)
    facets.ratings = mark(facets.ratings, [str(filters.rating)] if filters.rating else [])
    chosen_options = [f"{name}:{value}" for name, value in filters.options]
    facets.options = {name: mark(values, chosen_options) for name, values in facets.options.items()}


def product_listing(
    *,
    filters: ListingFilters,
    page_number: int | None = 1,
    per_page: int = DEFAULT_PER_PAGE,
    include_inactive: bool = False,
    category: Category | None = None,
) -> Listing:
    """One page of products for /products/ or a category page: search,
    filters, facets and sorting, in at most five queries (resolving the
    filters' slugs, facets with the total, the page, its images; plus the
    typo fallback's facets when a search finds nothing, or one query for
    "did you mean" when it finds little). Reads only the products' listing
    columns, never their variants. Inactive products and categories only for
    staff (``include_inactive``), who see them marked."""
    found, notes = _filters_resolve(filters=filters, include_inactive=include_inactive)
    visible = Product.objects.all() if include_inactive else Product.objects.filter(is_active=True)
    base = _products_filter(queryset=visible, filters=filters, found=found, category=category)
    query = search.search_query_clean(filters.q)

    def searched(queryset: QuerySet[Product]) -> QuerySet[Product]:
        return search.product_search(queryset=queryset, query=query) if query else queryset

    products, fuzzy, suggestions = searched(base), False, []
    # The result without each kind's own filter, for that kind's facet counts.
    unfiltered: dict[str, QuerySet[Product]] = {}
    for kind, kind_filters, kind_found in (
        ("brand", filters, {**found, "brand": {}}),
        ("tag", filters, {**found, "tag": {}}),
        ("option", replace(filters, options=()), found),
    ):
        if kind_found != found or kind_filters != filters:
            unfiltered[kind] = searched(
                _products_filter(queryset=visible, filters=kind_filters, found=kind_found, category=category)
            )
    parent = category
    if found["category"] and len(found["category"]) == 1:
        parent = Category(pk=next(iter(found["category"].values()))[0])
    facets = _facets_cached(
        filters=filters,
        products=products,
        parent=parent,
        include_inactive=include_inactive,
        unfiltered=unfiltered,
    )
    if query and facets.total == 0 and search.search_is_full_text():
        fuzzy_products = search.product_search_fuzzy(queryset=base, query=query)
        fuzzy_facets = _facets_cached(
            filters=filters,
            products=fuzzy_products,
            parent=parent,
            include_inactive=include_inactive,
            fuzzy=True,
        )
        if fuzzy_facets.total:
            products, facets, fuzzy = fuzzy_products, fuzzy_facets, True
    elif query and facets.total < FEW_RESULTS:
        suggestions = search.search_did_you_mean(queryset=base, query=query)
    _facets_mark_selected(facets=facets, filters=filters)

    sort = filters.sort if filters.sort in _ORDERINGS else ""
    if not sort or (sort == Sort.RELEVANCE and not query):
        sort = Sort.RELEVANCE if query else Sort.NEWEST
    rows = product_cards(queryset=products).order_by(*_ORDERINGS[sort])
    paginator = _CountedPaginator(
        rows, per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE, count=facets.total
    )
    number = page_number or 1
    if number > paginator.num_pages:
        notes.append(
            _("There is no page %(number)s; this is the last page, %(last)s.")
            % {"number": number, "last": paginator.num_pages}
        )
        number = paginator.num_pages
    page = paginator.page(number)
    page.object_list = list(page.object_list)
    if fuzzy:
        suggestions = search.search_corrections(query=query, titles=[p.title for p in page.object_list])
    labels = {("category", slug): name for slug, (_pk, name, _path) in found["category"].items()}
    labels |= {("brand", slug): name for slug, (_pk, name, _path) in found["brand"].items()}
    labels |= {("tag", slug): name for slug, (_pk, name, _path) in found["tag"].items()}
    return Listing(
        page=page,
        facets=facets,
        sort=sort,
        query=query,
        fuzzy=fuzzy,
        suggestions=suggestions,
        notes=notes,
        labels=labels,
    )


def search_suggest(*, query: str, limit: int = 8) -> dict[str, Any]:
    """What the header's search box proposes while typing: the best few
    active products (the same search as the listing, or its typo fallback)
    and corrected queries. Two queries at most."""
    query = search.search_query_clean(query)
    if len(query) < 2:
        return {"query": query, "products": [], "suggestions": []}
    active = Product.objects.filter(is_active=True)
    matches = search.product_search(queryset=active, query=query)
    columns = ("title", "slug", "price_min")
    products = list(matches.order_by(*search.SEARCH_ORDERING).values(*columns)[:limit])
    suggestions: list[str] = []
    if not products:
        fuzzy = search.product_search_fuzzy(queryset=active, query=query).order_by(*search.SEARCH_ORDERING)
        products = list(fuzzy.values(*columns)[:limit])
        suggestions = search.search_corrections(query=query, titles=[p["title"] for p in products])
    return {
        "query": query,
        "products": [
            {
                "title": p["title"],
                "url": reverse("catalog:product", kwargs={"slug": p["slug"]}),
                "price": None if p["price_min"] is None else str(p["price_min"]),
            }
            for p in products
        ],
        "suggestions": suggestions,
    }
