"""The facets of a listing: how many products of the result have each brand,
tag, option value, rating and subcategory, with the total and the price
range; counted in one query, cached for shoppers, marked as chosen."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import QuerySet

from catalog import search
from catalog.models import Brand, Category, Product, ProductOptionValue, Tag
from catalog.page_cache import catalog_generation
from catalog.selectors.filters import ListingFilters

FACETS_CACHE_SECONDS = 60
# Part of the cache key: the cache holds Facets pickled, by module and class
# name, so a release that moves or reshapes Facets or FacetValue bumps it and
# never reads (or serves to an older process) a value it cannot unpickle.
# 2: they moved from catalog.selectors.listing to catalog.selectors.facets.
FACETS_CACHE_FORMAT = 2


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


def facets_compute(
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
    unfiltered = unfiltered or {}
    try:
        with_sql, with_params = _hits_with(queryset=queryset, unfiltered=unfiltered)
    except EmptyResultSet:  # e.g. a search without a single word: nothing to count
        return Facets()

    def source(kind: str) -> str:
        return f"{kind}_hits" if kind in unfiltered else "hits"

    category_sql, category_params = _category_counts_sql(parent=parent, include_inactive=include_inactive)
    selects = (
        _summary_sql(),
        _brand_counts_sql(source=source("brand")),
        _tag_counts_sql(source=source("tag")),
        _option_counts_sql(source=source("option")),
        _rating_counts_sql(),
        category_sql,
    )
    sql = with_sql + "\n        UNION ALL".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*with_params, *category_params])
        rows = cursor.fetchall()
    return _facets_read(rows)


# --- The query's parts: the hits, then one SELECT per facet --------------------
# Every SELECT has the same seven columns: kind, key, label, count, one extra
# number (in stock, or a position to order by) and the price range.


def _table(model: type[models.Model] | Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _hits_with(
    *, queryset: QuerySet[Product], unfiltered: Mapping[str, QuerySet[Product]]
) -> tuple[str, list[Any]]:
    """The WITH clause: ``hits``, the result's products (id, brand, in stock,
    price, rating), and ``<kind>_hits`` (id, brand) for each kind counted
    from the result without its own filter. Raises ``EmptyResultSet`` when a
    result is empty by construction."""
    hits = queryset.order_by().values("pk", "brand_id", "in_stock", "price_min", "rating_average")
    hits_sql, hits_params = hits.query.sql_with_params()
    own = {
        kind: rows.order_by().values("pk", "brand_id").query.sql_with_params()
        for kind, rows in unfiltered.items()
    }
    extra = "".join(f", {kind}_hits (id, brand_id) AS ({own_sql})" for kind, (own_sql, _p) in own.items())
    params = [*hits_params, *(param for _sql, own_params in own.values() for param in own_params)]
    return f"\n        WITH hits (id, brand_id, in_stock, price, rating) AS ({hits_sql}){extra}", params


def _summary_sql() -> str:
    """The total, the number in stock, and the lowest and highest price of the hits."""
    return """
        SELECT 'summary' AS kind, CAST(NULL AS VARCHAR(255)) AS key, CAST(NULL AS VARCHAR(255)) AS label,
               COUNT(*) AS n, SUM(CASE WHEN h.in_stock THEN 1 ELSE 0 END) AS n2,
               MIN(h.price) AS low, MAX(h.price) AS high
          FROM hits h"""


def _brand_counts_sql(*, source: str) -> str:
    """Products per brand (slug, name), counted in ``source``."""
    return f"""
        SELECT 'brand', b.slug, b.name, COUNT(*), NULL, NULL, NULL
          FROM {source} h JOIN {_table(Brand)} b ON b.id = h.brand_id
         GROUP BY b.slug, b.name"""  # noqa: S608 (only names are interpolated)


def _tag_counts_sql(*, source: str) -> str:
    """Products per tag (slug, name), counted in ``source``."""
    return f"""
        SELECT 'tag', t.slug, t.name, COUNT(*), NULL, NULL, NULL
          FROM {source} h JOIN {_table(Product.tags.through)} pt ON pt.product_id = h.id
          JOIN {_table(Tag)} t ON t.id = pt.tag_id
         GROUP BY t.slug, t.name"""  # noqa: S608 (only names are interpolated)


def _option_counts_sql(*, source: str) -> str:
    """Products per option value (option name, value), counted in
    ``source``, each product once, with the value's average position."""
    product_option = ProductOptionValue._meta.get_field("option").related_model
    return f"""
        SELECT 'option', o.name, v.value, COUNT(DISTINCT h.id), AVG(v.position), NULL, NULL
          FROM {source} h JOIN {_table(product_option)} o ON o.product_id = h.id
          JOIN {_table(ProductOptionValue)} v ON v.option_id = o.id
         GROUP BY o.name, v.value"""  # noqa: S608 (only names are interpolated)


def _rating_counts_sql() -> str:
    """Rated hits per whole star ("4" = rated 4 or more, "3" = from 3 to
    under 4, ...); ``_facets_read`` adds them up into "and up" counts."""
    return """
        SELECT 'rating', CASE WHEN h.rating >= 4 THEN '4' WHEN h.rating >= 3 THEN '3'
                              WHEN h.rating >= 2 THEN '2' ELSE '1' END, NULL, COUNT(*), NULL, NULL, NULL
          FROM hits h WHERE h.rating >= 1
         GROUP BY 2"""


def _category_counts_sql(*, parent: Category | None, include_inactive: bool) -> tuple[str, list[Any]]:
    """Hits per child of ``parent`` (per root without one), each counting the
    products of its whole subtree once, with the category's position; only
    active categories unless ``include_inactive``. The SQL and its parameters."""
    where = "c.parent_id = %s" if parent else "c.parent_id IS NULL"
    params: list[Any] = [parent.pk] if parent else []
    if not include_inactive:
        where += " AND c.is_active = %s"
        params.append(True)
    sql = f"""
        SELECT 'category', c.slug, c.name, COUNT(DISTINCT h.id), MIN(c.position), NULL, NULL
          FROM hits h JOIN {_table(Product.categories.through)} pc ON pc.product_id = h.id
          JOIN {_table(Category)} sub ON sub.id = pc.category_id
          JOIN {_table(Category)} c ON sub.path LIKE c.path || '%%'
         WHERE {where}
         GROUP BY c.slug, c.name
    """  # noqa: S608 (only names are interpolated; values are parameters)
    return sql, params


# --- From rows to facets ------------------------------------------------------


def _facets_read(rows: Iterable[tuple[Any, ...]]) -> Facets:
    """The facets from the query's rows, each in the order the page shows:
    brands and tags by count then name, categories and option values by
    position, options by their products, ratings as "and up" counts."""
    facets = Facets()
    rating_counts: dict[str, int] = {}
    options: dict[str, list[tuple[int, FacetValue]]] = {}
    categories: list[tuple[int, FacetValue]] = []
    for kind, key, label, count, extra, low, high in rows:
        if kind == "summary":
            facets.total, facets.in_stock = count, int(extra or 0)
            facets.price_low, facets.price_high = _cents(low), _cents(high)
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
    facets.ratings = _ratings_and_up(rating_counts)
    return facets


def _cents(value: Any) -> Decimal | None:
    """A price from the database (a float on SQLite) as a Decimal in cents."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _ratings_and_up(counts: Mapping[str, int]) -> list[FacetValue]:
    """ "4 and up" counts the products rated 4 or more, and so on; a bucket
    with nothing in it or above it is left out."""
    ratings = []
    running = 0
    for stars in ("4", "3", "2", "1"):
        running += counts.get(stars, 0)
        if running:
            ratings.append(FacetValue(stars, stars, running))
    return ratings


# --- The cache and the chosen values -------------------------------------------


def facets_cached(
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
        return facets_compute(
            queryset=products, parent=parent, include_inactive=include_inactive, unfiltered=unfiltered
        )
    signature = (
        replace(filters, sort="", q=search.search_query_clean(filters.q)),
        parent.pk if parent else None,
        fuzzy,
    )
    # The generation makes the counts follow every catalog change at once.
    key = (
        f"catalog:facets:v{FACETS_CACHE_FORMAT}:{catalog_generation()}:"
        + hashlib.sha256(repr(signature).encode()).hexdigest()
    )
    facets: Facets | None = cache.get(key)
    if facets is None:
        facets = facets_compute(
            queryset=products, parent=parent, include_inactive=include_inactive, unfiltered=unfiltered
        )
        cache.set(key, facets, FACETS_CACHE_SECONDS)
    return facets


def facets_mark_selected(*, facets: Facets, filters: ListingFilters) -> None:
    """Mark, in place, the facet values that ``filters`` chose."""

    def mark(values: list[FacetValue], chosen: Iterable[str]) -> list[FacetValue]:
        chosen = set(chosen)
        return [replace(v, selected=v.value in chosen) for v in values]

    facets.brands = mark(facets.brands, filters.brands)
    facets.tags = mark(facets.tags, filters.tags)
    facets.categories = mark(facets.categories, filters.categories)
    facets.ratings = mark(facets.ratings, [str(filters.rating)] if filters.rating else [])
    chosen_options = [f"{name}:{value}" for name, value in filters.options]
    facets.options = {name: mark(values, chosen_options) for name, values in facets.options.items()}
