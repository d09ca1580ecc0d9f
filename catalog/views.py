"""Shopper pages of the catalog. Views parse, call a selector, render; the
pages anonymous shoppers see come from the page cache (catalog/page_cache.py).
Each page view is recorded for analytics (``analytics.events.track``) outside
the cache, so a page served from it counts too."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from analytics.events import Name, track, track_page
from catalog import selectors
from catalog.forms import ListingFilterForm
from catalog.models import Category, Product
from catalog.page_cache import catalog_generation, page_cached
from catalog.product_page import product_page_build


@page_cached
def home_view(request: HttpRequest) -> HttpResponse:
    home = selectors.home_featured_products()
    context = {
        "categories": selectors.home_featured_categories(),
        "products": home.products,
        "products_featured": home.featured,
    }
    return render(request, "catalog/home.html", context)


def _listing_response(
    request: HttpRequest, template: str, *, category_page: selectors.CategoryPage | None = None
) -> HttpResponse:
    """A listing page: bad query-string values are ignored with a note, never an error."""
    form = ListingFilterForm(request.GET)
    listing = selectors.product_listing(
        filters=form.filters,
        page_number=form.page_number(),
        per_page=form.page_size(),
        include_inactive=request.user.is_staff,
        category=category_page.category if category_page else None,
    )
    context = {
        "form": form,
        "listing": listing,
        "page_obj": listing.page,
        "page_range": listing.page.paginator.get_elided_page_range(
            listing.page.number, on_each_side=2, on_ends=1
        ),
        "notes": [*form.notes, *listing.notes],
        "chips": form.chips(labels=listing.labels),
        "sort_choices": selectors.Sort.choices,
        "per_page_choices": selectors.PER_PAGE_CHOICES,
        "category_page": category_page,
        "catalog_generation": catalog_generation(),
        "fragment_cache_seconds": settings.CATALOG_CARD_CACHE_SECONDS,
    }
    response = render(request, template, context)
    # How many products matched, for the search's analytics event: kept with
    # the page in the page cache, so a cached search still knows it.
    response[RESULTS_HEADER] = str(listing.page.paginator.count)
    return response


def _listing_tracked(request: HttpRequest, response: HttpResponse, *, slug: str = "") -> HttpResponse:
    if response.status_code == 200:
        track_page(request, Name.LISTING_VIEW, slug=slug)
        query = request.GET.get("q", "").strip()
        if query:
            results = response.get(RESULTS_HEADER, "")
            track(request, Name.SEARCH, query=query, results=int(results) if results.isdigit() else None)
    return response


def product_list_view(request: HttpRequest) -> HttpResponse:
    """/products/: search and filters over the whole catalog."""
    return _listing_tracked(request, _product_list_page(request))


@page_cached
def _product_list_page(request: HttpRequest) -> HttpResponse:
    return _listing_response(request, "catalog/product_list.html")


def category_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _listing_tracked(request, _category_page(request, slug), slug=slug)


@page_cached
def _category_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A category with its descendants' products; inactive ones are a 404 for shoppers."""
    try:
        category_page = selectors.category_page_get(slug=slug, include_inactive=request.user.is_staff)
    except Category.DoesNotExist:
        raise Http404(_("No such category.")) from None
    return _listing_response(request, "catalog/category_detail.html", category_page=category_page)


def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    response = _product_page(request, slug)
    if response.status_code == 200:
        track_page(request, Name.PRODUCT_VIEW, slug=slug)
    return response


@page_cached
def _product_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Inactive products are a 404 for shoppers; staff see them, with a notice."""
    try:
        product = selectors.product_get_for_page(slug=slug, include_inactive=request.user.is_staff)
    except Product.DoesNotExist:
        raise Http404(_("No such product.")) from None
    page = product_page_build(product=product, query=request.GET, absolute=request.build_absolute_uri)
    category = selectors.product_main_category(product=product)
    context = {
        "product": product,
        "page": page,
        "breadcrumbs": selectors.category_breadcrumbs(category=category),
        "related": selectors.product_related_list(product=product, category=category),
    }
    return render(request, "catalog/product_detail.html", context)


RESULTS_HEADER = "X-Results"

# Suggestions are the same for everyone and change slowly.
SUGGEST_CACHE_SECONDS = 60


def search_suggest_view(request: HttpRequest) -> HttpResponse:
    """GET ?q=…: {"query", "products": [{"title", "url", "price"}], "suggestions"},
    for the header's search box (static/js/search.js)."""
    query = request.GET.get("q", "")[:1000]
    key = "catalog:suggest:" + hashlib.sha256(" ".join(query.lower().split()).encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = selectors.search_suggest(query=query)
        cache.set(key, data, SUGGEST_CACHE_SECONDS)
    response = JsonResponse(data)
    response["Cache-Control"] = f"public, max-age={SUGGEST_CACHE_SECONDS}"
    return response
