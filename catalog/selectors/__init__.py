"""The questions of the catalog: read-only querysets with the
``select_related``/``prefetch_related`` their pages need, so that each page
runs a small, constant number of queries: first the listing, category and
search selectors, then those of the product page and the home page.
"""

from catalog.selectors.cards import product_card_images, product_cards
from catalog.selectors.facets import FACETS_CACHE_SECONDS, Facets, FacetValue
from catalog.selectors.filters import ListingFilters
from catalog.selectors.listing import (
    FEW_RESULTS,
    CategoryPage,
    Listing,
    brands_all,
    categories_visible,
    category_page_get,
    product_listing,
    tags_all,
)
from catalog.selectors.paging import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, Sort
from catalog.selectors.products import (
    HomeProducts,
    category_breadcrumbs,
    home_featured_categories,
    home_featured_products,
    product_get_for_page,
    product_get_rated,
    product_main_category,
    product_related_list,
)
from catalog.selectors.suggest import search_suggest

__all__ = (
    "DEFAULT_PER_PAGE",
    "FACETS_CACHE_SECONDS",
    "FEW_RESULTS",
    "PER_PAGE_CHOICES",
    "CategoryPage",
    "FacetValue",
    "Facets",
    "HomeProducts",
    "Listing",
    "ListingFilters",
    "Sort",
    "brands_all",
    "categories_visible",
    "category_breadcrumbs",
    "category_page_get",
    "home_featured_categories",
    "home_featured_products",
    "product_card_images",
    "product_cards",
    "product_get_for_page",
    "product_get_rated",
    "product_listing",
    "product_main_category",
    "product_related_list",
    "search_suggest",
    "tags_all",
)
