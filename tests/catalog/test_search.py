"""Search: full text with websearch syntax and prefixes, SKUs, typos and
"did you mean" on PostgreSQL; the icontains fallback on SQLite; the
autocomplete endpoint."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import search
from catalog.models import Brand, Product, Variant
from catalog.search import search_vector_refresh
from tests.catalog.factories import ProductFactory, VariantFactory
from tests.catalog.listing_data import shop_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:product_list")
SUGGEST = reverse("catalog:search_suggest")


@pytest.fixture
def shop():
    return shop_create()


def found(client, q, **extra):
    response = client.get(LIST, {"q": q, **extra})
    assert response.status_code == 200
    return [product.title for product in response.context["listing"].page.object_list]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (
            "jacket",
            ["Red Wool Jacket", "Blue Rain Jacket", "Leather Jacket"],
        ),  # equal rank: best sellers first
        ("jackets", ["Red Wool Jacket", "Blue Rain Jacket", "Leather Jacket"]),  # stemmed
        ("wool jacket", ["Red Wool Jacket"]),
        ("jack", ["Red Wool Jacket", "Blue Rain Jacket", "Leather Jacket"]),  # a prefix of a word
        ("blu jack", ["Blue Rain Jacket"]),  # prefixes of two words
        ("acme", ["Blue Rain Jacket", "Leather Jacket"]),  # brand, weight B
        (
            "waterproof",
            ["Blue Rain Jacket", "Leather Jacket", "Coffee Mug"],
        ),  # tags (B) above description (C)
        ("jacket -wool", ["Blue Rain Jacket", "Leather Jacket"]),  # websearch negation
        ('"rain jacket"', ["Blue Rain Jacket"]),  # websearch phrase
        ("mug or leather", ["Coffee Mug", "Leather Jacket"]),  # the mug's description has both
        ("dry windy", ["Blue Rain Jacket"]),  # description
        ("hidden", []),  # inactive products are not found by shoppers
    ],
)
def test_full_text_search_finds_and_ranks(client, shop, q, expected):
    assert found(client, q) == expected


@pytest.mark.postgres
def test_title_matches_rank_above_description_matches(client, shop):
    ProductFactory.create(title="Leather Belt", description="Plain.")

    assert found(client, "leather") == ["Leather Jacket", "Leather Belt", "Coffee Mug"]


@pytest.mark.postgres
def test_an_exact_sku_in_any_case_puts_its_product_first(client, shop):
    VariantFactory.create(product=shop.mug, sku="JK-2000")
    VariantFactory.create(product=shop.leather, sku="JK-2000-XL")
    search_vector_refresh(product_ids=[shop.mug.pk, shop.leather.pk])

    assert found(client, "jk-2000") == ["Coffee Mug", "Leather Jacket"]
    assert found(client, "JK-2000-xl") == ["Leather Jacket"]
    assert found(client, "jk-20") == ["Coffee Mug", "Leather Jacket"]  # SKU prefixes, by rank then sales


@pytest.mark.postgres
def test_a_typo_shows_similar_titles_and_did_you_mean(client, shop):
    response = client.get(LIST, {"q": "jakcet"})
    listing = response.context["listing"]

    assert listing.fuzzy is True
    assert [p.title for p in listing.page.object_list] == [
        "Leather Jacket",
        "Red Wool Jacket",
        "Blue Rain Jacket",
    ]
    assert listing.suggestions == ["jacket"]
    assert '<a href="?q=jacket">jacket</a>?' in response.text
    assert "Nothing matched “jakcet” exactly; these look close." in response.text


@pytest.mark.postgres
def test_a_typo_in_one_of_two_words_is_corrected(client, shop):
    response = client.get(LIST, {"q": "blue jakcet"})

    assert response.context["listing"].suggestions == ["blue jacket"]
    assert response.context["listing"].page.object_list[0].title == "Blue Rain Jacket"


@pytest.mark.postgres
def test_few_results_also_offer_did_you_mean(client, shop):
    ProductFactory.create(title="Jaket Potato Seasoning")
    search_vector_refresh(product_ids=Product.objects.values_list("pk", flat=True))

    response = client.get(LIST, {"q": "jaket"})

    assert [p.title for p in response.context["listing"].page.object_list] == ["Jaket Potato Seasoning"]
    assert response.context["listing"].fuzzy is False
    assert response.context["listing"].suggestions == ["jacket"]


@pytest.mark.postgres
def test_nothing_alike_is_an_empty_state(client, shop):
    response = client.get(LIST, {"q": "zzzzqqq"})

    assert response.context["listing"].page.object_list == []
    assert "No products match “zzzzqqq”." in response.text


@pytest.mark.postgres
def test_search_vector_follows_brand_and_tag_changes_after_refresh(client, shop):
    Brand.objects.filter(slug="acme").update(name="Zenith")
    assert found(client, "zenith") == []

    search_vector_refresh(product_ids=Product.objects.filter(brand__slug="acme").values_list("pk", flat=True))
    cache.clear()  # result counts are cached for a minute

    assert found(client, "zenith") == ["Blue Rain Jacket", "Leather Jacket"]


@pytest.mark.postgres
def test_search_combines_with_filters_and_sorts(client, shop):
    assert found(client, "jacket", brand="acme", sort="price_desc") == ["Leather Jacket", "Blue Rain Jacket"]
    assert found(client, "jacket", category="rain") == ["Blue Rain Jacket"]


@pytest.mark.parametrize(
    "q",
    [
        "x" * 5000,
        "jacket " * 800,
        "!!!",
        "'\"\\:*&|!()<->",
        "a:* & b",
        "-",
        '"',
        "or",
        "ünïcødé ²³ 💥",
    ],
)
def test_odd_queries_never_error(client, shop, q):
    response = client.get(LIST, {"q": q})

    assert response.status_code == 200
    assert client.get(SUGGEST, {"q": q}).status_code == 200


def test_a_nul_in_the_query_is_refused_at_the_door(client, shop):
    """shop.middleware.NulRefusedMiddleware: a 400 page, before any search."""
    assert client.get(LIST, {"q": "\x00jacket"}).status_code == 400
    assert client.get(SUGGEST, {"q": "\x00jacket"}).status_code == 400


@pytest.mark.postgres
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=60))
def test_any_text_is_a_valid_search_query(q):
    query = search.search_query_clean(q)
    list(search.product_search(queryset=Product.objects.all(), query=query).values_list("pk", flat=True))
    list(
        search.product_search_fuzzy(queryset=Product.objects.all(), query=query).values_list("pk", flat=True)
    )


def test_a_5000_character_query_is_cut_to_200_characters(client, shop):
    response = client.get(LIST, {"q": "jacket " + "x" * 5000})

    assert len(response.context["listing"].query) == 200
    assert "Your search was shortened to its first 200 characters." in response.text


def test_sqlite_fallback_matches_title_sku_and_brand_words(client, shop, monkeypatch):
    """The demo's search: every word in the title, a SKU or the brand name; runs on any database."""
    monkeypatch.setattr(search, "search_is_full_text", lambda: False)
    VariantFactory.create(product=shop.mug, sku="MUG-77")

    assert found(client, "jacket") == [
        "Red Wool Jacket",
        "Blue Rain Jacket",
        "Leather Jacket",
    ]  # best sellers first
    assert found(client, "JACKET wool") == ["Red Wool Jacket"]
    assert found(client, "jacket -wool") == ["Blue Rain Jacket", "Leather Jacket"]
    assert found(client, "acme") == ["Blue Rain Jacket", "Leather Jacket"]
    assert found(client, "mug-77") == ["Coffee Mug"]
    assert found(client, '"rain jacket"') == ["Blue Rain Jacket"]
    assert found(client, "jakcet") == []


def test_sqlite_fallback_is_what_runs_without_postgresql(shop):
    expected = connection.vendor == "postgresql"

    assert search.search_is_full_text() is expected


@pytest.mark.postgres
def test_suggest_returns_products_as_json(client, shop):
    response = client.get(SUGGEST, {"q": "blu jack"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response.json() == {
        "query": "blu jack",
        "products": [{"title": "Blue Rain Jacket", "url": "/products/blue-rain-jacket/", "price": "80.00"}],
        "suggestions": [],
    }


@pytest.mark.postgres
def test_suggest_offers_corrections_for_a_typo_and_is_cached(client, shop, django_assert_num_queries):
    first = client.get(SUGGEST, {"q": "jakcet"}).json()
    Product.objects.update(title="Renamed")
    with django_assert_num_queries(0):
        second = client.get(SUGGEST, {"q": "  JAKCET "}).json()

    assert first["suggestions"] == ["jacket"]
    assert [p["title"] for p in first["products"]] == [
        "Leather Jacket",
        "Red Wool Jacket",
        "Blue Rain Jacket",
    ]
    assert second["products"] == first["products"]


def test_suggest_needs_two_characters_and_returns_at_most_eight(client, shop):
    for n in range(10):
        ProductFactory.create(title=f"Jacket extra {n}")
    search_vector_refresh(product_ids=Product.objects.values_list("pk", flat=True))

    assert client.get(SUGGEST, {"q": "j"}).json() == {"query": "j", "products": [], "suggestions": []}
    assert len(client.get(SUGGEST, {"q": "jacket"}).json()["products"]) == 8


def test_suggest_never_lists_inactive_products(client, shop):
    titles = [p["title"] for p in client.get(SUGGEST, {"q": "hidden"}).json()["products"]]

    assert titles == []


def test_variant_prices_do_not_leak_into_search_results(client, shop):
    Variant.objects.filter(product=shop.blue).update(price=Decimal("1.00"))  # without a listing refresh

    response = client.get(LIST, {"q": "blue"})

    assert str(response.context["listing"].page.object_list[0].price_min) == "80.00"


def test_result_counts_are_cached_for_shoppers_until_the_catalog_changes(client, shop):
    client.get(LIST, {"brand": "acme"})
    # Behind the services' back: no catalog change is announced, the cached count stands.
    Product.objects.filter(pk=shop.blue.pk).update(brand=None)
    stale = client.get(LIST, {"brand": "acme"})
    ProductFactory.create(title="Acme Tent", brand=shop.blue.brand)  # through the services

    shopper = client.get(LIST, {"brand": "acme"})
    client.force_login(UserFactory.create(is_staff=True))
    staff = client.get(LIST, {"brand": "acme"})

    assert stale.context["page_obj"].paginator.count == 2
    assert shopper.context["page_obj"].paginator.count == 2  # Leather Jacket and the tent
    assert staff.context["page_obj"].paginator.count == 3  # and the inactive one
