"""Catalog pages for anonymous shoppers come from the cache until the catalog
changes; nothing per-person is ever cached."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]
from django.test import Client

from catalog import services
from catalog.models import Product, StockMovement
from catalog.page_cache import CSRF_PLACEHOLDER
from catalog.stock import stock_adjust
from tests.catalog.factories import BrandFactory, ProductFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STOCK_STATUS = re.compile(r"data-variant-stock>([^<]+)<")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _found(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    assert match is not None, pattern.pattern
    return match.group(1)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 300
    settings.CATALOG_CARD_CACHE_SECONDS = 300


@pytest.mark.parametrize("path", ["/", "/products/", "/products/?q=coat&sort=price_asc"])
def test_a_second_anonymous_visit_runs_no_query(client, django_assert_num_queries, path):
    ProductFactory.create(title="Warm coat", is_featured=True)
    first = client.get(path)

    with django_assert_num_queries(0):
        second = Client().get(path)

    assert first.status_code == second.status_code == 200
    assert "Warm coat" in second.text


def test_saving_a_product_makes_cached_pages_stale(client):
    product = ProductFactory.create(title="Warm coat")
    assert "Warm coat" in client.get(product.get_absolute_url()).text

    product.title = "Winter coat"
    services.product_save(product=product)

    assert "Winter coat" in Client().get(product.get_absolute_url()).text


def test_a_stock_change_makes_the_product_page_stale(client):
    product = ProductFactory.create(title="Warm coat", variants__stock=4)
    variant = product.variants.get()
    assert _found(STOCK_STATUS, client.get(product.get_absolute_url()).text) == "Only 4 left"

    stock_adjust(variant=variant, quantity_change=-4, reason=StockMovement.Reason.ADJUSTMENT, note="damaged")

    assert _found(STOCK_STATUS, Client().get(product.get_absolute_url()).text) == "Out of stock"


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page():
    product = ProductFactory.create()
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first = one.get(product.get_absolute_url())
    second = two.get(product.get_absolute_url())

    token_one = _found(CSRF_INPUT, first.text)
    token_two = _found(CSRF_INPUT, second.text)
    assert CSRF_PLACEHOLDER not in first.text + second.text
    assert _unmask_cipher_token(token_one) == one.cookies["csrftoken"].value
    assert _unmask_cipher_token(token_two) == two.cookies["csrftoken"].value
    # The token from the cached page passes the CSRF check of a real form.
    login = two.post("/accounts/login/", {"csrfmiddlewaretoken": token_two, "login": "x@example.com"})
    assert login.status_code == 200


def test_signed_in_shoppers_and_staff_are_served_live(client):
    product = ProductFactory.create(title="Hidden coat")
    anonymous = Client().get(product.get_absolute_url())
    services.product_set_active(product_ids=[product.pk], is_active=False)
    client.force_login(UserFactory.create(is_staff=True))

    staff_view = client.get(product.get_absolute_url())

    assert anonymous.status_code == 200
    assert staff_view.status_code == 200
    assert "This product is inactive" in staff_view.text
    assert Client().get(product.get_absolute_url()).status_code == 404


def test_a_visitor_with_a_session_is_served_live(client, django_assert_max_num_queries):
    ProductFactory.create()
    Client().get("/products/")
    client.cookies["sessionid"] = "some-session"

    with django_assert_max_num_queries(8) as live:
        client.get("/products/")

    assert len(live.captured_queries) > 0


def test_product_cards_are_cached_until_the_catalog_changes(client):
    client.force_login(UserFactory.create())  # signed in: the page itself is built live
    product = ProductFactory.create(title="Warm coat")
    client.get("/products/")
    Product.objects.filter(pk=product.pk).update(title="Changed behind the services' back")

    cached = client.get("/products/")
    product.refresh_from_db()
    product.title = "Winter coat"
    services.product_save(product=product)
    fresh = client.get("/products/")

    assert "Warm coat" in cached.text
    assert "Winter coat" in fresh.text


def test_deleting_a_product_in_the_admin_makes_cached_pages_stale(staff_client):
    product = ProductFactory.create(title="Warm coat")
    assert "Warm coat" in Client().get("/products/").text

    staff_client.post(f"/admin/catalog/product/{product.pk}/delete/", {"post": "yes"})

    assert not Product.objects.exists()
    assert "Warm coat" not in Client().get("/products/").text


def test_facet_counts_follow_a_catalog_change_at_once(client):
    client.force_login(UserFactory.create())  # signed in: the page itself is built live
    brand = BrandFactory.create(name="Acme")
    ProductFactory.create(title="Warm coat", brand=brand)
    before = client.get("/products/")

    ProductFactory.create(title="Rain coat", brand=brand)
    after = client.get("/products/")

    assert [(v.label, v.count) for v in before.context["listing"].facets.brands] == [("Acme", 1)]
    assert 'Acme <span class="facet-count">(2)</span>' in after.text
