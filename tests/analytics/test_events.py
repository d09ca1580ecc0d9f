import re
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from analytics.events import events_erase, events_export, visitor_of
from analytics.models import Event, VisitorSalt
from analytics.services import events_purge
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "a long enough passphrase 42"
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"}


def _names() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("name", flat=True))


def test_a_product_page_view_is_recorded_also_when_the_page_comes_from_the_cache(client, settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 60
    product = ProductFactory.create(title="Desk Lamp")

    client.get(product.get_absolute_url(), **BROWSER)
    client.get(product.get_absolute_url(), **BROWSER)  # from the page cache

    events = list(Event.objects.order_by("pk"))
    assert [(e.name, e.slug, e.user_id) for e in events] == [("product_view", product.slug, None)] * 2
    assert re.fullmatch(r"[0-9a-f]{32}", events[0].visitor)
    assert events[0].visitor == events[1].visitor


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_DNT": "1", **BROWSER},
        {"HTTP_SEC_GPC": "1", **BROWSER},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"HTTP_USER_AGENT": "curl/8.5.0"},
        {},  # no user agent: a script
    ],
)
def test_do_not_track_global_privacy_control_bots_and_scripts_are_not_recorded(client, headers):
    product = ProductFactory.create()

    response = client.get(product.get_absolute_url(), **headers)

    assert response.status_code == 200
    assert not Event.objects.exists()


def test_staff_are_not_counted(client):
    client.force_login(UserFactory.create(is_staff=True))

    client.get(ProductFactory.create().get_absolute_url(), **BROWSER)

    assert not Event.objects.exists()


def test_the_privacy_page_switches_counting_off_and_on_for_the_browser(client):
    product = ProductFactory.create()

    page = client.get(reverse("analytics:choice"), **BROWSER)
    client.post(reverse("analytics:choice"), {"analytics": "off"}, **BROWSER)
    client.get(product.get_absolute_url(), **BROWSER)
    assert not Event.objects.exists()
    client.post(reverse("analytics:choice"), {"analytics": "on"}, **BROWSER)
    client.get(product.get_absolute_url(), **BROWSER)
    bad = client.post(reverse("analytics:choice"), {"analytics": "maybe"}, follow=True, **BROWSER)

    assert "no IP address, no email" in page.content.decode()
    assert _names() == ["product_view"]
    assert "Choose whether we may count your visits." in bad.content.decode()


def test_searches_record_the_query_and_the_number_of_results_cached_or_not(client, settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 60
    ProductFactory.create(title="Desk Lamp")
    ProductFactory.create(title="Floor Lamp")

    for _n in range(2):
        client.get("/products/", {"q": "  LAMP "}, **BROWSER)
    client.get("/products/", {"q": "zebra"}, **BROWSER)

    searches = list(Event.objects.filter(name="search").order_by("pk").values_list("query", "results"))
    assert searches == [("lamp", 2), ("lamp", 2), ("zebra", 0)]
    assert Event.objects.filter(name="listing_view").count() == 3


def test_a_category_page_and_a_campaign_visit_are_recorded(client):
    from tests.catalog.factories import CategoryFactory

    category = CategoryFactory.create(name="Lamps", slug="lamps")

    client.get(category.get_absolute_url(), {"utm_source": "pinterest", "utm_medium": "social"}, **BROWSER)
    client.get(category.get_absolute_url(), {"utm_source": "<script>"}, **BROWSER)

    rows = list(Event.objects.order_by("pk").values_list("name", "slug", "source"))
    assert rows == [
        ("listing_view", "lamps", ""),
        ("campaign_visit", "/categories/lamps/", "pinterest"),
        ("listing_view", "lamps", ""),
    ]


def test_adding_to_and_removing_from_the_cart_are_recorded(client):
    product = ProductFactory.create()
    variant = product.variants.get()

    client.post(reverse("cart:add"), {"variant": variant.pk, "quantity": 2}, **BROWSER)
    line = client.get(reverse("cart:detail")).context["page"].rows[0].line
    client.post(reverse("cart:line_remove", kwargs={"line_id": line.pk}), **BROWSER)

    added = Event.objects.get(name="cart_add")
    assert (added.product_id, added.quantity, str(added.value)) == (product.pk, 2, "39.98")
    assert _names() == ["cart_add", "cart_remove"]


def test_sign_up_is_recorded_under_the_new_account_and_a_saved_favourite_too(client):
    product = ProductFactory.create()

    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSPHRASE, "password2": PASSPHRASE},
        **BROWSER,
    )
    client.post(reverse("wishlists:toggle"), {"product": product.pk}, **BROWSER)

    from accounts.models import User

    new = User.objects.get(email="new@example.com")
    # Signed up, not signed in until the address is verified: the heart is a guest's.
    assert list(Event.objects.order_by("pk").values_list("name", "user_id")) == [
        ("sign_up", new.pk),
        ("wishlist_add", None),
    ]


def test_a_signed_in_visitor_keeps_their_pseudonym_an_anonymous_one_gets_a_new_one_each_day(rf):
    user = UserFactory.create()
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", **BROWSER)
    request.user = user
    anonymous = rf.get("/", REMOTE_ADDR="203.0.113.7", **BROWSER)
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()

    today = visitor_of(anonymous)
    VisitorSalt.objects.all().delete()
    from analytics import events

    events._salts.clear()
    tomorrow = visitor_of(anonymous)

    assert visitor_of(request) == visitor_of(request)
    assert today != tomorrow
    assert "203.0.113.7" not in today


def test_a_failed_insert_costs_the_shopper_nothing(client, monkeypatch):
    product = ProductFactory.create()

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Event.objects, "create", broken)

    assert client.get(product.get_absolute_url(), **BROWSER).status_code == 200


def test_the_data_export_holds_the_accounts_events_and_deletion_erases_them(client):
    from orders.privacy import account_delete, personal_data_export

    user = UserFactory.create()
    client.force_login(user)
    client.get(ProductFactory.create(title="Desk Lamp").get_absolute_url(), **BROWSER)
    client.logout()
    client.get("/products/", {"q": "lamp"}, **BROWSER)  # anonymous: not theirs

    exported = personal_data_export(user=user)["analytics_events"]
    account_delete(user=user)

    assert [row["name"] for row in exported] == ["product_view"]
    assert events_export(user_id=user.pk) == []
    assert events_erase(user_id=user.pk) == 0
    assert Event.objects.filter(user_id__isnull=True).count() == 2  # the anonymous search and listing


def test_events_past_the_retention_and_old_visitor_keys_are_purged(client, settings):
    settings.ANALYTICS_RETENTION_DAYS = 30
    client.get(ProductFactory.create().get_absolute_url(), **BROWSER)
    old = Event.objects.get()
    Event.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=31))
    client.get("/products/", **BROWSER)

    assert events_purge(now=timezone.now() + timedelta(days=1)) == 1

    assert _names() == ["listing_view"]
    assert not VisitorSalt.objects.exists()  # yesterday's key is gone with the day


def test_checkout_steps_reached_and_the_order_placed_are_recorded():
    from decimal import Decimal

    from django.test import Client

    from tests.orders.factories import cart_of, checkout_ready, germany, stocked_variants
    from tests.orders.test_checkout_views import CARD

    (lamp,) = stocked_variants(5, title="Lamp", price=Decimal("20.00"))
    cart = cart_of((lamp, 1))
    checkout_ready(cart, germany())
    client = Client(HTTP_USER_AGENT=BROWSER["HTTP_USER_AGENT"])
    session = client.session
    session["cart_id"] = cart.pk
    session.save()

    client.get("/checkout/shipping/")
    page = client.get("/checkout/payment/")
    order = page.context["order"]
    paid = client.post("/checkout/payment/", {"number": "4242 4242 4242 4242", **CARD, "order": order.number})
    client.get(paid["Location"])

    assert list(Event.objects.filter(name="checkout_step").values_list("step", flat=True)) == [
        "shipping",
        "payment",
    ]
    placed = Event.objects.get(name="order_placed")
    assert (placed.reference, placed.value) == (order.number, order.total)


def test_an_email_address_or_a_phone_number_typed_into_search_is_not_kept(client):
    client.get("/products/", {"q": "Ada.Lovelace@example.com parka"}, **BROWSER)
    client.get("/products/", {"q": "call +49 30 1234567 boots"}, **BROWSER)

    queries = list(Event.objects.filter(name="search").order_by("pk").values_list("query", flat=True))
    assert queries == ["… parka", "call … boots"]


def test_api_searches_are_recorded_like_the_page_s_and_api_browsing_is_not(client, settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 60
    ProductFactory.create(title="Desk Lamp")
    ProductFactory.create(title="Floor Lamp")

    for _n in range(2):  # the second answer comes from the API's cache
        assert client.get("/api/v1/products/", {"q": " Lamp"}, **BROWSER).status_code == 200
    client.get("/api/v1/products/", {"q": "zebra"}, **BROWSER)
    client.get("/api/v1/products/", {"q": "lamp"}, HTTP_DNT="1", **BROWSER)
    client.get("/api/v1/products/", **BROWSER)

    searches = list(Event.objects.filter(name="search").order_by("pk").values_list("query", "results"))
    assert searches == [("lamp", 2), ("lamp", 2), ("zebra", 0)]
    assert not Event.objects.exclude(name="search").exists()
