"""The public catalog: products (the listing's search, filters, facets and
sorts), a product, its reviews, categories, brands and tags. Every view
calls the selector its page calls; anyone may read (``public``).

Caching, like the pages (catalog/page_cache.py): a response's body is kept
in the cache under the catalog generation and the full address, so any
catalog change makes every kept response stale at once. The body is the same
for everyone (no per-person field), so every request may use it. Its
``ETag`` is a hash of the body, kept beside it: a client's ``If-None-Match``
gets a 304 without the body being built again, and the tag stays right
while Redis is away (nothing is kept then; the body is built and hashed).
Anonymous responses say ``Cache-Control: public, max-age=60``; signed-in
ones ``private, no-cache`` (revalidate with the ETag)."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from analytics.events import Name, track
from api.catalog_serializers import (
    BrandSerializer,
    CategoryDetailSerializer,
    CategorySerializer,
    ProductDetailSerializer,
    ProductListQuerySerializer,
    ProductListSerializer,
    ReviewListQuerySerializer,
    ReviewListSerializer,
    TagSerializer,
)
from api.pagination import Cursor
from api.scopes import READ
from catalog import selectors
from catalog.forms import ListingFilterForm
from catalog.page_cache import catalog_generation
from reviews.selectors import ReviewSort, product_review_page

# How long a browser or a proxy may reuse an anonymous response.
PUBLIC_MAX_AGE = 60
# Part of the cache key: bump when the shape of a response changes.
CACHE_FORMAT = 2
# A response's header kept with its body (the product list's result count).
RESULTS_HEADER = "X-Results"


# Documented on every catalog read beside its 200.
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag sent in If-None-Match is still current.")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _body(request: Request, build: Callable[[], Any]) -> tuple[bytes, str, str]:
    """The rendered body, its ETag and its ``X-Results``: from the cache when kept under the
    current catalog generation, else built (``build``: a finalized
    ``Response``), rendered and kept
    for ``CATALOG_PAGE_CACHE_SECONDS`` (0: never kept)."""
    timeout = settings.CATALOG_PAGE_CACHE_SECONDS
    key = ""
    if timeout:
        address = f"{request.get_host()}{request.get_full_path()}"
        key = (
            f"api:catalog:v{CACHE_FORMAT}:{catalog_generation()}:"
            + hashlib.sha256(address.encode()).hexdigest()
        )
        entry: tuple[bytes, str, str] | None = cache.get(key)
        if entry is not None:
            return entry
    response = build()
    response.render()
    body = bytes(response.content)
    entry = (body, _etag(body), response.get(RESULTS_HEADER, ""))
    if key:
        cache.set(key, entry, timeout)
    return entry


def _not_modified(request: Request, etag: str) -> bool:
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    return "*" in wanted or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in wanted}


class CatalogRead(APIView):
    """A public catalog read: ``read`` builds the response; ``get`` serves
    it cached, with its ETag, as a 304 when the client holds it."""

    public = True
    scopes = {"GET": READ}

    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotImplementedError

    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        def build() -> HttpResponseBase:
            return self.finalize_response(request, self.read(request, *args, **kwargs))

        body, etag, results = _body(request, build)
        response: HttpResponseBase
        if _not_modified(request, etag):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        if results:
            response[RESULTS_HEADER] = results
        anonymous = not (request.user and request.user.is_authenticated)
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}" if anonymous else "private, no-cache"
        return response


def _page_links(request: Request, *, number: int, num_pages: int) -> tuple[str | None, str | None]:
    """The addresses of the next and previous pages (None at either end)."""
    url = request.build_absolute_uri()
    following = replace_query_param(url, "page", number + 1) if number < num_pages else None
    previous = None
    if number == 2:
        previous = remove_query_param(url, "page")
    elif number > 2:
        previous = replace_query_param(url, "page", number - 1)
    return following, previous


def _page_check(*, asked: int | None, number: int, num_pages: int) -> None:
    if asked is not None and asked > number:
        raise exceptions.NotFound(
            _("There is no page %(number)s; the last is %(last)s.") % {"number": asked, "last": num_pages},
            code="no_such_page",
        )


class ProductListView(CatalogRead):
    """The products of /products/: its search (``q``), filters, sorts and
    facets, through the listing's own selector, so the same query string
    finds the same products in the same order.

    Paginated by page number (``page``, ``per_page`` of 12, 24 or 48), not
    by cursor: the listing's orders include search relevance (a rank
    computed per query) and nullable columns (prices, ratings) ordered
    NULLS LAST, which a cursor cannot seek on; and the page numbers are the
    listing's, counted by the facet query it runs anyway. The facets come
    with every page: the listing computes them for its total regardless.

    A search (``q``) is recorded for the analytics as the page's is (top
    searches, searches that found nothing), under the same rules
    (``analytics.events.track``: not for bots, staff or DNT). Reading
    products is not: the views' funnel is the shop's pages'
    (docs/decisions.md)."""

    @extend_schema(
        operation_id="products_list",
        parameters=[ProductListQuerySerializer],
        responses={200: ProductListSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().get(request, *args, **kwargs)
        search = request.query_params.get("q", "").strip()
        if search and response.status_code in (200, 304):
            results = response.get(RESULTS_HEADER, "")
            track(request, Name.SEARCH, query=search, results=int(results) if results.isdigit() else None)
        return response

    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = ProductListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # The page's own parsing, so the filters are the page's to the letter.
        form = ListingFilterForm(request.query_params)
        listing = selectors.product_listing(
            filters=form.filters, page_number=form.page_number(), per_page=form.page_size()
        )
        unknown = {
            name: [_("There is no %(kind)s “%(slug)s”.") % {"kind": name, "slug": slug}]
            for name, slugs in (
                ("category", form.filters.categories),
                ("brand", form.filters.brands),
                ("tag", form.filters.tags),
            )
            for slug in slugs
            if (name, slug) not in listing.labels
        }
        if unknown:
            raise exceptions.ValidationError(unknown)
        page = listing.page
        paginator = page.paginator
        _page_check(asked=query.validated_data.get("page"), number=page.number, num_pages=paginator.num_pages)
        following, previous = _page_links(request, number=page.number, num_pages=paginator.num_pages)
        data = {
            "count": paginator.count,
            "page": page.number,
            "num_pages": paginator.num_pages,
            "per_page": paginator.per_page,
            "next": following,
            "previous": previous,
            "sort": listing.sort,
            "query": listing.query,
            "fuzzy": listing.fuzzy,
            "suggestions": listing.suggestions,
            "results": page.object_list,
            "facets": listing.facets,
        }
        return Response(
            ProductListSerializer(data, context={"request": request}).data,
            headers={RESULTS_HEADER: str(paginator.count)},
        )


class ProductDetailView(CatalogRead):
    """A product as its page shows it; an inactive or unknown one is a 404."""

    @extend_schema(responses={200: ProductDetailSerializer, 304: NOT_MODIFIED})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().get(request, *args, **kwargs)

    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            product = selectors.product_get_for_page(slug=kwargs["slug"])
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such product.")) from None
        return Response(ProductDetailSerializer(product, context={"request": request}).data)


class ProductReviewListView(CatalogRead):
    """A product's published reviews as its page shows them: ``stars`` (1
    to 5) filters, ``sort`` orders (most helpful first by default), pages of
    ``REVIEWS_PAGE_SIZE`` by number (the product page's own paging)."""

    @extend_schema(
        operation_id="products_reviews_list",
        parameters=[ReviewListQuerySerializer],
        responses={200: ReviewListSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().get(request, *args, **kwargs)

    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = ReviewListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            product = selectors.product_get_rated(slug=kwargs["slug"])
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such product.")) from None
        stars = query.validated_data.get("stars")
        asked = query.validated_data.get("page")
        reviews = product_review_page(
            product=product,
            stars=int(stars) if stars else None,
            sort=query.validated_data.get("sort") or ReviewSort.HELPFUL,
            page=asked or 1,
        )
        _page_check(asked=asked, number=reviews.number, num_pages=reviews.num_pages)
        following, previous = _page_links(request, number=reviews.number, num_pages=reviews.num_pages)
        data = {
            "count": reviews.total,
            "page": reviews.number,
            "num_pages": reviews.num_pages,
            "next": following,
            "previous": previous,
            "stars": reviews.stars,
            "sort": reviews.sort,
            "rating": {"average": product.rating_average, "count": product.rating_count},
            "histogram": reviews.histogram,
            "results": reviews.reviews,
        }
        return Response(ReviewListSerializer(data, context={"request": request}).data)


def _cursor(*fields: str) -> type[Cursor]:
    return type("Cursor", (Cursor,), {"ordering": fields})


class CatalogList(CatalogRead, generics.ListAPIView):  # type: ignore[misc]
    """A cursor-paged list of a catalog table."""

    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


def _list_schema(serializer: type[Any]) -> Any:
    return extend_schema(responses={200: serializer(many=True), 304: NOT_MODIFIED})


@_list_schema(CategorySerializer)
class CategoryListView(CatalogList):
    """The category tree: the categories a shopper may open, parents before
    their children (by ``path``); build the tree from ``parent``."""

    serializer_class = CategorySerializer
    pagination_class = _cursor("path")

    def get_queryset(self) -> Any:
        return selectors.categories_visible()


class CategoryDetailView(CatalogRead):
    """A category with its ancestors, children and the address of its
    products; an inactive one, or one below an inactive one, is a 404."""

    @extend_schema(responses={200: CategoryDetailSerializer, 304: NOT_MODIFIED})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().get(request, *args, **kwargs)

    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            page = selectors.category_page_get(slug=kwargs["slug"])
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such category.")) from None
        return Response(CategoryDetailSerializer(page, context={"request": request}).data)


@_list_schema(BrandSerializer)
class BrandListView(CatalogList):
    serializer_class = BrandSerializer
    pagination_class = _cursor("name")

    def get_queryset(self) -> Any:
        return selectors.brands_all()


@_list_schema(TagSerializer)
class TagListView(CatalogList):
    serializer_class = TagSerializer
    pagination_class = _cursor("name")

    def get_queryset(self) -> Any:
        return selectors.tags_all()
