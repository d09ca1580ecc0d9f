"""The public catalog API: the products of /products/ (same search, filters,
sorts and facets as the page), a product, its reviews, categories, brands
and tags; 404s for what shoppers may not see, 400s for bad query strings,
ETags and 304s, the response cache, nothing internal in any answer, and
query counts that do not grow with the data."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from api.scopes import CART_WRITE
from api.tokens import access_token_create
from catalog import services
from catalog.models import Category, Product, ProductImage, ProductOption, ProductOptionValue, Variant
from catalog.search import search_vector_refresh
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory
from tests.catalog.listing_data import Shop, shop_create
from tests.factories import UserFactory
from tests.reviews.factories import review_of

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
LISTING = reverse("catalog:product_list")
# Keys no catalog answer may hold, at any depth.
INTERNAL = {
    "cost", "cost_price", "stock_on_hand", "stock_reserved", "stock_available", "available",
    "low_stock_threshold", "barcode", "weight_grams", "is_active", "is_featured", "units_sold",
    "rating_score", "search_vector", "seo_title", "email", "author", "author_id",
    "user", "held", "status", "rejection_reason", "report_count", "replied_by", "moderated_by",
    "moderated_at", "voted", "tax_class", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def shop() -> Shop:
    return shop_create()


def keys(data: Any) -> set[str]:
    """Every key of a JSON document, at any depth."""
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in keys(value)}
    if isinstance(data, list):
        return {key for value in data for key in keys(value)}
    return set()


def slugs(response: Any) -> list[str]:
    return [card["slug"] for card in response.json()["results"]]


def page_slugs(response: Any) -> list[str]:
    return [product.slug for product in response.context["listing"].page.object_list]


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def image_of(product: Product, *, position: int = 0, variant: Variant | None = None) -> ProductImage:
    return ProductImage.objects.create(
        product=product,
        variant=variant,
        image=f"products/{product.slug}-{position}.jpg",
        width=1600,
        height=1200,
        alt_text=f"{product.title}, view {position}",
        position=position,
        renditions={"320": f"products/{product.slug}-{position}-320w.webp",
                    "640": f"products/{product.slug}-{position}-640w.webp"},
    )  # fmt: skip


# --- The list agrees with the page -------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=newest",
        "sort=price_asc",
        "sort=price_desc",
        "sort=best_selling",
        "sort=top_rated",
        "category=jackets",
        "category=rain&category=home",
        "category=clothing&sort=price_desc",
        "brand=acme",
        "brand=acme&brand=borealis",
        "tag=sale",
        "tag=waterproof&in_stock=1",
        "option=Size:M",
        "option=Size:S&option=Size:L",
        "option=Size:M&option=Colour:Red",
        "min_price=80&max_price=120",
        "max_price=9.50",
        "in_stock=1",
        "in_stock=0",
        "rating=4",
        "rating=3&sort=price_asc",
        "q=jacket",
        "q=jacket&sort=price_asc",
        "q=wool",
        "q=waterproof&brand=acme",
        "q=nothing-like-this",
        "brand=acme&category=jackets&in_stock=1",
        "per_page=12&page=1",
        "sort=&rating=",
    ],
)
def test_the_list_finds_what_the_listing_page_finds_in_the_same_order(api, client, shop, query):
    page = client.get(f"{LISTING}?{query}")
    response = api.get(f"{PRODUCTS}?{query}")

    assert response.status_code == 200, response.content
    assert slugs(response) == page_slugs(page)
    listing = page.context["listing"]
    body = response.json()
    assert body["count"] == listing.page.paginator.count
    assert body["sort"] == listing.sort
    assert [(v["value"], v["count"], v["selected"]) for v in body["facets"]["brands"]] == [
        (v.value, v.count, v.selected) for v in listing.facets.brands
    ]
    assert [(v["value"], v["count"]) for v in body["facets"]["categories"]] == [
        (v.value, v.count) for v in listing.facets.categories
    ]
    assert [(o["name"], [v["value"] for v in o["values"]]) for o in body["facets"]["options"]] == [
        (name, [v.value for v in values]) for name, values in listing.facets.options.items()
    ]


def test_a_card_carries_what_the_card_shows_with_absolute_image_urls(api, shop):
    image_of(shop.blue)
    Product.objects.filter(pk=shop.blue.pk).update(sale_price_min=Decimal("64.00"), offer_label="20% off")

    body = api.get(PRODUCTS, {"brand": "acme", "sort": "price_asc"}).json()

    blue = body["results"][0]
    assert blue == {
        "id": shop.blue.pk,
        "slug": "blue-rain-jacket",
        "title": "Blue Rain Jacket",
        "url": "http://testserver/api/v1/products/blue-rain-jacket/",
        "page_url": "http://testserver/products/blue-rain-jacket/",
        "brand": {"id": shop.blue.brand_id, "slug": "acme", "name": "Acme"},
        "price_min": money("80.00"),
        "price_max": money("80.00"),
        "sale_price": money("64.00"),
        "offer_label": "20% off",
        "in_stock": True,
        "rating": {"average": "4.50", "count": 3},
        "image": {
            "url": "http://testserver/media/products/blue-rain-jacket-0-640w.webp",
            "width": 640,
            "height": 480,
            "renditions": [
                {"width": 320, "url": "http://testserver/media/products/blue-rain-jacket-0-320w.webp"},
                {"width": 640, "url": "http://testserver/media/products/blue-rain-jacket-0-640w.webp"},
            ],
        },
    }
    leather = body["results"][1]
    assert (leather["sale_price"], leather["image"], leather["rating"]) == (
        None,
        None,
        {"average": None, "count": 0},
    )
    assert body["facets"]["price_low"] == money("80.00")
    ratings = [(v["value"], v["count"]) for v in body["facets"]["ratings"]]
    assert ratings == [("4", 1), ("3", 1), ("2", 1), ("1", 1)]  # 4.5: "4 and up", "3 and up", ...


def test_the_list_pages_by_number_with_links(api):
    for n in range(13):
        ProductFactory.create(title=f"Lamp {n}")

    first = api.get(PRODUCTS, {"per_page": "12"}).json()
    second = api.get(first["next"]).json()

    assert (first["count"], first["num_pages"], first["page"], first["per_page"]) == (13, 2, 1, 12)
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/products/?page=2&per_page=12"
    assert (len(first["results"]), len(second["results"]), second["next"]) == (12, 1, None)
    assert second["previous"] == "http://testserver/api/v1/products/?per_page=12"
    assert not {p["slug"] for p in first["results"]} & {p["slug"] for p in second["results"]}


def test_inactive_products_are_not_listed_even_for_staff(api, shop):
    api.force_authenticate(UserFactory.create(is_staff=True, is_superuser=True))

    assert "hidden-jacket" not in slugs(api.get(PRODUCTS))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=cheapest", "sort"),
        ("rating=7", "rating"),
        ("in_stock=maybe", "in_stock"),
        ("min_price=abc", "min_price"),
        ("min_price=-1", "min_price"),
        ("min_price=100&max_price=10", "min_price"),
        ("per_page=13", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("brand=not%20a%20slug", "brand"),
        ("category=%3Cscript%3E", "category"),
        ("option=Size", "option"),
        ("option=:M", "option"),
        ("q=" + "x" * 201, "q"),
        ("brand=no-such-brand", "brand"),
        ("category=no-such-category", "category"),
        ("tag=no-such-tag", "tag"),
        ("brand=" + "&brand=".join(f"b{n}" for n in range(21)), "brand"),
    ],
)
def test_a_bad_query_string_is_a_400_problem_naming_the_field(api, shop, query, field):
    response = api.get(f"{PRODUCTS}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_a_page_past_the_last_is_a_404_problem(api, shop):
    response = api.get(PRODUCTS, {"page": "2"})

    assert response.status_code == 404
    assert response.json()["detail"] == "There is no page 2; the last is 1."


def test_a_token_of_any_scope_and_a_session_read_the_catalog(api, shop):
    made = access_token_create(user=UserFactory.create(), name="app", scopes=[CART_WRITE])
    api.credentials(HTTP_AUTHORIZATION="Bearer " + made.key)

    assert api.get(PRODUCTS).status_code == 200
    api.credentials()
    api.force_login(UserFactory.create())
    assert api.get(f"{PRODUCTS}blue-rain-jacket/").status_code == 200


# --- A product ----------------------------------------------------------------


def _sized(product: Product, sizes: list[str]) -> list[Variant]:
    """Variants of ``product`` in these sizes (10 in stock), each with an option value."""
    option, _created = ProductOption.objects.get_or_create(product=product, name="Size")
    variants = []
    for n, size in enumerate(sizes):
        value, _created = ProductOptionValue.objects.get_or_create(option=option, value=size, position=n)
        price = Decimal("30.00") + n
        variant = Variant.objects.create(
            product=product, sku=f"{product.slug}-{size}", price=price, stock_on_hand=10, position=n
        )
        variant.option_values.add(value)
        variants.append(variant)
    services.product_listing_refresh(product_ids=[product.pk])
    return variants


def test_a_product_has_its_variants_images_categories_tags_and_rating(api, shop):
    small, medium, large = _sized(shop.leather, ["S", "M", "L"])
    Variant.objects.filter(pk=small.pk).update(stock_on_hand=3, low_stock_threshold=5, compare_at_price=45)
    Variant.objects.filter(pk=medium.pk).update(stock_on_hand=0, compare_at_price="1.00", sale_price="25.00")
    Variant.objects.filter(sku__startswith="SKU-", product=shop.leather).update(is_active=False)
    image_of(shop.leather, position=1, variant=medium)
    image_of(shop.leather, position=0)
    shop.leather.description = "Classic **biker** style.<script>alert(1)</script>"
    services.product_save(product=shop.leather)

    response = api.get(f"{PRODUCTS}leather-jacket/")

    assert response.status_code == 200
    body = response.json()
    assert body["description_html"].startswith("<p>Classic <strong>biker</strong> style.")
    assert "<script" not in body["description_html"]
    assert body["brand"] == {"id": shop.leather.brand_id, "slug": "acme", "name": "Acme"}
    assert [(c["slug"], c["path"]) for c in body["categories"]] == [("jackets", shop.jackets.path)]
    assert [t["slug"] for t in body["tags"]] == ["waterproof"]
    assert body["tags"][0]["products"] == "http://testserver/api/v1/products/?tag=waterproof"
    assert body["rating"] == {
        "average": None,
        "count": 0,
        "histogram": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0},
    }
    assert [(i["alt"], i["variant_id"]) for i in body["images"]] == [
        ("Leather Jacket, view 0", None),
        ("Leather Jacket, view 1", medium.pk),
    ]
    assert body["variants"] == [
        {
            "id": small.pk,
            "sku": "leather-jacket-S",
            "options": [{"name": "Size", "value": "S"}],
            "price": money("30.00"),
            "compare_at_price": money("45.00"),
            "sale_price": None,
            "stock": "low",
            "image_ids": [],
        },
        {
            "id": medium.pk,
            "sku": "leather-jacket-M",
            "options": [{"name": "Size", "value": "M"}],
            "price": money("31.00"),
            "compare_at_price": None,  # below the price: not shown
            "sale_price": money("25.00"),
            "stock": "out",
            "image_ids": [body["images"][1]["id"]],
        },
        {
            "id": large.pk,
            "sku": "leather-jacket-L",
            "options": [{"name": "Size", "value": "L"}],
            "price": money("32.00"),
            "compare_at_price": None,
            "sale_price": None,
            "stock": "in_stock",
            "image_ids": [],
        },
    ]
    assert body["reviews"] == "http://testserver/api/v1/products/leather-jacket/reviews/"


def test_a_products_rating_has_its_histogram(api, shop):
    for stars in (5, 5, 4, 1):
        review_of(shop.mug, rating=stars)

    rating = api.get(f"{PRODUCTS}coffee-mug/").json()["rating"]

    assert rating == {"average": "3.75", "count": 4, "histogram": {"5": 2, "4": 1, "3": 0, "2": 0, "1": 1}}


@pytest.mark.parametrize(
    "path",
    [
        "products/hidden-jacket/",
        "products/no-such-thing/",
        "products/hidden-jacket/reviews/",
        "products/no-such-thing/reviews/",
        "categories/no-such-category/",
    ],
)
def test_inactive_and_unknown_things_are_a_404_problem_for_everyone(api, shop, path):
    assert api.get(f"/api/v1/{path}").status_code == 404
    api.force_authenticate(UserFactory.create(is_staff=True, is_superuser=True))
    response = api.get(f"/api/v1/{path}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- Reviews --------------------------------------------------------------------


def test_reviews_are_the_published_ones_sorted_and_filtered_without_accounts(api, shop):
    authors = [UserFactory.create(email=f"reviewer{n}@example.com", first_name=f"Ann{n}") for n in range(4)]
    for author, stars in zip(authors, (5, 4, 1, 5), strict=True):
        review_of(shop.mug, rating=stars, user=author, title=f"{stars} stars")
    review_of(shop.mug, rating=2, verified=False)  # waits for moderation: not shown

    response = api.get(f"{PRODUCTS}coffee-mug/reviews/", {"sort": "lowest"})

    body = response.json()
    assert [r["rating"] for r in body["results"]] == [1, 4, 5, 5]
    assert (body["count"], body["num_pages"], body["sort"], body["stars"]) == (4, 1, "lowest", None)
    assert body["rating"] == {"average": "3.75", "count": 4}
    histogram = [(row["stars"], row["count"]) for row in body["histogram"]]
    assert histogram == [(5, 2), (4, 1), (3, 0), (2, 0), (1, 1)]
    review = body["results"][0]
    assert set(review) == {
        "id", "rating", "title", "body", "author_name", "published_at", "verified_purchase",
        "variant_label", "helpful_count", "reply", "replied_at", "photos", "page_url",
    }  # fmt: skip
    assert (review["author_name"], review["verified_purchase"]) == ("Ann2 L.", True)
    assert "@" not in response.content.decode()

    five = api.get(f"{PRODUCTS}coffee-mug/reviews/", {"stars": "5"}).json()
    assert ([r["rating"] for r in five["results"]], five["count"], five["stars"]) == ([5, 5], 2, 5)


def test_reviews_page_by_number(api, shop, settings):
    settings.REVIEWS_PAGE_SIZE = 2
    for stars in (5, 4, 3):
        review_of(shop.mug, rating=stars)

    first = api.get(f"{PRODUCTS}coffee-mug/reviews/", {"sort": "highest"}).json()
    second = api.get(first["next"]).json()

    assert [r["rating"] for r in first["results"]] == [5, 4]
    assert ([r["rating"] for r in second["results"]], second["next"]) == ([3], None)
    assert api.get(f"{PRODUCTS}coffee-mug/reviews/", {"page": "3"}).status_code == 404


@pytest.mark.parametrize("query", ["stars=6", "stars=x", "sort=best", "page=0", "page=abc"])
def test_bad_review_query_strings_are_a_400(api, shop, query):
    response = api.get(f"{PRODUCTS}coffee-mug/reviews/?{query}")

    assert response.status_code == 400
    assert response.json()["errors"]


# --- Categories, brands, tags ---------------------------------------------------


def test_the_category_tree_leaves_out_inactive_branches(api, shop):
    closed = CategoryFactory.create(name="Closed", slug="closed", is_active=False)
    CategoryFactory.create(name="Under closed", slug="under-closed", parent=closed)

    body = api.get("/api/v1/categories/").json()

    assert [(c["slug"], c["parent"], c["depth"]) for c in body["results"]] == [
        ("clothing", None, 0),
        ("jackets", shop.clothing.pk, 1),
        ("rain", shop.jackets.pk, 2),
        ("home", None, 0),
    ]
    assert body["results"][1]["path"] == shop.jackets.path
    assert body["results"][1]["url"] == "http://testserver/api/v1/categories/jackets/"
    assert api.get("/api/v1/categories/closed/").status_code == 404
    assert api.get("/api/v1/categories/under-closed/").status_code == 404


def test_a_category_has_its_ancestors_children_and_products_link(api, shop):
    body = api.get("/api/v1/categories/jackets/").json()

    assert (body["id"], body["slug"], body["name"], body["parent"]) == (
        shop.jackets.pk,
        "jackets",
        "Jackets",
        shop.clothing.pk,
    )
    assert [c["slug"] for c in body["ancestors"]] == ["clothing"]
    assert [c["slug"] for c in body["children"]] == ["rain"]
    assert body["products"] == "http://testserver/api/v1/products/?category=jackets"
    assert body["page_url"] == "http://testserver/categories/jackets/"
    assert slugs(api.get(body["products"])) == ["leather-jacket", "red-wool-jacket", "blue-rain-jacket"]


def test_brands_and_tags_are_listed_by_name_with_their_products_links(api, shop):
    brands = api.get("/api/v1/brands/").json()
    tags = api.get("/api/v1/tags/").json()

    assert [(b["slug"], b["products"]) for b in brands["results"]] == [
        ("acme", "http://testserver/api/v1/products/?brand=acme"),
        ("borealis", "http://testserver/api/v1/products/?brand=borealis"),
    ]
    assert [t["slug"] for t in tags["results"]] == ["sale", "waterproof"]
    assert brands["next"] is None


# --- Nothing internal -------------------------------------------------------------


def test_no_answer_holds_cost_stock_counts_accounts_or_moderation(api, shop):
    _sized(shop.blue, ["S", "M"])
    image_of(shop.blue)
    review = review_of(shop.blue, user=UserFactory.create(email="secret-reviewer@example.com"))
    review.reply = "Thanks!"
    review.save()
    paths = [
        PRODUCTS,
        f"{PRODUCTS}?q=jacket",
        f"{PRODUCTS}blue-rain-jacket/",
        f"{PRODUCTS}blue-rain-jacket/reviews/",
        "/api/v1/categories/",
        "/api/v1/categories/jackets/",
        "/api/v1/brands/",
        "/api/v1/tags/",
    ]
    for path in paths:
        response = api.get(path)
        assert response.status_code == 200, path
        assert not keys(response.json()) & INTERNAL, path
        assert "secret-reviewer" not in response.content.decode(), path
    # The product's Markdown source stays in; its sanitised HTML comes out.
    assert "description" not in api.get(f"{PRODUCTS}blue-rain-jacket/").json()


# --- ETag, 304, Cache-Control and the response cache --------------------------------

CATALOG_READS = [
    PRODUCTS,
    f"{PRODUCTS}?brand=acme&sort=price_asc",
    f"{PRODUCTS}blue-rain-jacket/",
    f"{PRODUCTS}blue-rain-jacket/reviews/",
    "/api/v1/categories/",
    "/api/v1/categories/jackets/",
    "/api/v1/brands/",
    "/api/v1/tags/",
]


@pytest.mark.parametrize("path", CATALOG_READS)
def test_every_catalog_read_has_an_etag_and_answers_304_when_it_still_holds(api, shop, path):
    first = api.get(path)

    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    assert etag.startswith('"')
    again = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (etag, "public, max-age=60")
    assert api.get(path, HTTP_IF_NONE_MATCH=f'W/{etag}, "other"').status_code == 304
    assert api.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_etag_changes_with_the_catalog(api, shop):
    etag = api.get(f"{PRODUCTS}blue-rain-jacket/")["ETag"]
    shop.blue.title = "Blue Storm Jacket"
    services.product_save(product=shop.blue)

    response = api.get(f"{PRODUCTS}blue-rain-jacket/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["title"] == "Blue Storm Jacket"
    assert response["ETag"] != etag


def test_signed_in_answers_are_private_and_revalidated(api, shop):
    api.force_login(UserFactory.create())

    response = api.get(PRODUCTS)

    assert response["Cache-Control"] == "private, no-cache"
    assert api.get(PRODUCTS, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_errors_are_neither_cached_nor_tagged(api, shop, settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 300
    response = api.get(PRODUCTS, {"sort": "cheapest"})

    assert response.status_code == 400
    assert "ETag" not in response
    assert api.get(PRODUCTS, {"sort": "cheapest"}).status_code == 400


def test_the_response_cache_answers_without_a_query_until_the_catalog_changes(api, shop, settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 300
    path = f"{PRODUCTS}?q=jacket&sort=price_asc"
    first = api.get(path)

    with CaptureQueriesContext(connection) as queries:
        again = api.get(path)
        not_modified = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert len(queries) == 0
    assert again.content == first.content
    assert (again["ETag"], not_modified.status_code) == (first["ETag"], 304)

    Product.objects.filter(pk=shop.red.pk).update(price_min=Decimal("70.00"))
    services.product_save(product=Product.objects.get(pk=shop.red.pk))  # bumps the generation
    changed = api.get(path)
    assert changed["ETag"] != first["ETag"]
    assert slugs(changed)[:2] == ["red-wool-jacket", "blue-rain-jacket"]


def test_the_response_cache_keeps_nothing_while_the_cache_keeps_nothing(api, shop, settings):
    # Redis away: the cache keeps nothing (shop/cache.py), the ETag still follows the body.
    settings.CATALOG_PAGE_CACHE_SECONDS = 300
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    etag = api.get(f"{PRODUCTS}coffee-mug/")["ETag"]
    shop.mug.title = "Tea Mug"
    services.product_save(product=shop.mug)

    assert api.get(f"{PRODUCTS}coffee-mug/", HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- Query counts ------------------------------------------------------------------


# The listing's own budget (tests/catalog/test_listing_queries.py) is 8.
LIST_BUDGET = 8


def _catalog(count: int, *, prefix: str) -> None:
    """``count`` more products in one category two levels down, with a
    brand, two tags, an option, three variants and two images each; and
    ``count`` more categories, brands and tags."""
    root = Category.objects.filter(slug="outdoor").first()
    if root is None:
        root = CategoryFactory.create(name="Outdoor", slug="outdoor")
        CategoryFactory.create(name="Tents", slug="tents", parent=root)
    category = Category.objects.get(slug="tents")
    brand = BrandFactory.create(name="Acme", slug="acme")
    tags = [TagFactory.create(name="light", slug="light"), TagFactory.create(name="sale", slug="sale")]
    for n in range(count):
        product = ProductFactory.create(
            title=f"Tent {prefix}{n}", slug=f"tent-{prefix}{n}", brand=brand, variants=3
        )
        product.categories.set([category])
        product.tags.set(tags)
        option = ProductOption.objects.create(product=product, name="Size")
        for position, variant in enumerate(product.variants.all()):
            variant.option_values.add(ProductOptionValue.objects.create(option=option, value=f"V{position}"))
        image_of(product, position=1)
        image_of(product, position=0)
        CategoryFactory.create(name=f"Sub {prefix}{n}", slug=f"sub-{prefix}{n}", parent=category)
        BrandFactory.create(name=f"Brand {prefix}{n}", slug=f"brand-{prefix}{n}")
        TagFactory.create(name=f"tag {prefix}{n}", slug=f"tag-{prefix}{n}")
    search_vector_refresh(product_ids=Product.objects.values_list("pk", flat=True))


def _queries(api: APIClient, path: str) -> int:
    cache.clear()  # the facets' cache: count them each time
    with CaptureQueriesContext(connection) as context:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(context)


@pytest.mark.parametrize(
    "path",
    [
        f"{PRODUCTS}?per_page=48",
        f"{PRODUCTS}?q=tent&brand=acme&tag=sale&option=Size:V1&sort=price_asc&per_page=48",
        f"{PRODUCTS}?category=outdoor&in_stock=1&min_price=1&sort=top_rated",
        "/api/v1/categories/?page_size=100",
        "/api/v1/brands/?page_size=100",
        "/api/v1/tags/?page_size=100",
    ],
)
def test_lists_run_as_many_queries_for_20_items_as_for_2(api, path):
    _catalog(2, prefix="a")
    few = _queries(api, path)
    _catalog(18, prefix="b")

    # Never more for 20 (a search finding fewer than three asks one more
    # query, for "did you mean", so 2 may cost one more than 20).
    assert _queries(api, path) <= few <= LIST_BUDGET
    if "q=" not in path:
        assert _queries(api, path) == few
    assert len(api.get(path).json()["results"]) >= 20


def test_a_product_runs_as_many_queries_with_8_variants_as_with_2(api):
    few = ProductFactory.create(title="Few", slug="few", brand=BrandFactory.create(), variants=0)
    many = ProductFactory.create(title="Many", slug="many", brand=BrandFactory.create(), variants=0)
    for product, sizes in ((few, ["S", "M"]), (many, ["XS", "S", "M", "L", "XL", "2XL", "3XL", "4XL"])):
        _sized(product, sizes)
        product.categories.set([CategoryFactory.create(), CategoryFactory.create()])
        product.tags.set([TagFactory.create() for _ in range(len(sizes))])
        for position in range(len(sizes)):
            image_of(product, position=position)

    assert _queries(api, f"{PRODUCTS}many/") == _queries(api, f"{PRODUCTS}few/")
    assert len(api.get(f"{PRODUCTS}many/").json()["variants"]) == 8


def test_reviews_run_as_many_queries_for_20_as_for_2(api, settings):
    settings.REVIEWS_PAGE_SIZE = 20
    few = ProductFactory.create(title="Few", slug="few")
    many = ProductFactory.create(title="Many", slug="many")
    for product, count in ((few, 2), (many, 20)):
        for n in range(count):
            review_of(product, rating=1 + n % 5)

    assert _queries(api, f"{PRODUCTS}many/reviews/") == _queries(api, f"{PRODUCTS}few/reviews/")
    assert len(api.get(f"{PRODUCTS}many/reviews/").json()["results"]) == 20


def test_the_schema_describes_the_catalog(api):
    schema = json.loads(api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)

    assert {"/api/v1/products/", "/api/v1/products/{slug}/", "/api/v1/products/{slug}/reviews/"} <= set(
        schema["paths"]
    )
    assert "304" in schema["paths"]["/api/v1/products/"]["get"]["responses"]
