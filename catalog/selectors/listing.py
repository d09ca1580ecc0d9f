"""The listing pages: /products/ (with its search) and a category's page,
each assembled from its filters, facets, sort and page."""

from dataclasses import dataclass, field, replace

from django.core.paginator import Page
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext as _

from catalog import search
from catalog.models import Brand, Category, Product, Tag
from catalog.selectors.cards import product_cards
from catalog.selectors.facets import Facets, facets_cached, facets_mark_selected
from catalog.selectors.filters import ListingFilters, filters_resolve, products_filter
from catalog.selectors.paging import (
    DEFAULT_PER_PAGE,
    ORDERINGS,
    PER_PAGE_CHOICES,
    CountedPaginator,
    sort_choose,
)

# Below this many results a search also offers "did you mean ...".
FEW_RESULTS = 3


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


def categories_visible() -> QuerySet[Category]:
    """The categories a shopper may open (``category_page_get`` finds them):
    active, with no inactive category above them; in tree order (by path),
    parents before their children."""
    inactive_above = Category.objects.filter(StartsWith(OuterRef("path"), F("path")), is_active=False)
    return Category.objects.filter(is_active=True).filter(~Exists(inactive_above)).order_by("path")


def brands_all() -> QuerySet[Brand]:
    """Every brand, by name (what the listing's brand filter takes)."""
    return Brand.objects.order_by("name")


def tags_all() -> QuerySet[Tag]:
    """Every tag, by name (what the listing's tag filter takes)."""
    return Tag.objects.order_by("name")


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
    found, notes = filters_resolve(filters=filters, include_inactive=include_inactive)
    visible = Product.objects.all() if include_inactive else Product.objects.filter(is_active=True)
    base = products_filter(queryset=visible, filters=filters, found=found, category=category)
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
                products_filter(queryset=visible, filters=kind_filters, found=kind_found, category=category)
            )
    parent = category
    if found["category"] and len(found["category"]) == 1:
        parent = Category(pk=next(iter(found["category"].values()))[0])
    facets = facets_cached(
        filters=filters,
        products=products,
        parent=parent,
        include_inactive=include_inactive,
        unfiltered=unfiltered,
    )
    if query and facets.total == 0 and search.search_is_full_text():
        fuzzy_products = search.product_search_fuzzy(queryset=base, query=query)
        fuzzy_facets = facets_cached(
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
    facets_mark_selected(facets=facets, filters=filters)

    sort = sort_choose(requested=filters.sort, query=query)
    rows = product_cards(queryset=products).order_by(*ORDERINGS[sort])
    paginator = CountedPaginator(
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
