"""The back-in-stock form of the product page and a guest's confirmation
link: plain POSTs that come back with a message; bad input is a clear 4xx,
never a 500."""

from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from catalog.models import Variant
from notifications.models import Notification
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from wishlists.alerts import CONFIRM, stock_alert_confirm_token, stock_alert_subscribe
from wishlists.models import StockAlert

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/wishlists/alerts/"


@pytest.fixture
def variant() -> Variant:
    return ProductFactory.create(title="Linen shirt", variants__stock=0).variants.get()


def _page(variant: Variant) -> str:
    return f"/products/{variant.product.slug}/?variant={variant.pk}"


def _messages(response: "Response") -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_url_is_the_one_the_product_page_posts_to():
    assert reverse("wishlists:alert_subscribe") == SUBSCRIBE


def test_a_guest_subscribes_from_the_product_page_and_confirms_by_the_link(client: Client, variant):
    response = client.post(
        SUBSCRIBE, {"variant": variant.pk, "email": "ada@example.com", "next": _page(variant)}
    )

    assert response.status_code == 303
    assert response["Location"] == _page(variant)
    assert _messages(response) == [
        "Check your inbox: follow the link we sent to ada@example.com to confirm the alert."
    ]
    alert = StockAlert.objects.get()
    assert alert.confirmed_at is None
    assert Notification.objects.get(kind=CONFIRM).email == "ada@example.com"

    link = reverse("wishlists:alert_confirm", kwargs={"token": stock_alert_confirm_token(alert=alert)})
    shown = client.get(link)  # a link scanner opening it confirms nothing
    alert.refresh_from_db()
    assert shown.status_code == 200
    assert "Shall we email ada@example.com when Linen shirt is back in stock?" in shown.content.decode()
    assert alert.confirmed_at is None

    confirmed = client.post(link)
    alert.refresh_from_db()
    assert confirmed.status_code == 200
    assert "We will email ada@example.com when Linen shirt is back in stock." in confirmed.content.decode()
    assert alert.confirmed_at is not None


def test_a_signed_in_shopper_waits_at_once(client: Client, variant):
    user = UserFactory.create(email="ada@example.com")
    client.force_login(user)

    response = client.post(SUBSCRIBE, {"variant": variant.pk, "next": _page(variant)})

    assert response.status_code == 303
    assert _messages(response) == ["We will email you when Linen shirt is back in stock."]
    alert = StockAlert.objects.get()
    assert (alert.user_id, alert.email) == (user.pk, "ada@example.com")
    assert alert.confirmed_at is not None


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("not-an-address", "Enter an email address like name@example.com."),
        ("", "Enter your email address, so that we can tell you."),
        (f"{'a' * 250}@example.com", "This email address is too long."),
    ],
)
def test_a_bad_email_shows_the_form_again_with_its_error(client: Client, variant, email, error):
    response = client.post(SUBSCRIBE, {"variant": variant.pk, "email": email, "next": _page(variant)})

    page = response.content.decode()
    assert response.status_code == 400
    assert error in page
    assert f'value="{variant.pk}"' in page  # the form to send again, for the same variant
    assert f'href="{_page(variant).replace("&", "&amp;")}"' in page
    assert not StockAlert.objects.exists()


UNKNOWN = "This product does not exist."


@pytest.mark.parametrize(
    ("variant_id", "error"),
    [
        ("999999", UNKNOWN),
        ("abc", UNKNOWN),
        ("-1", UNKNOWN),
        (str(2**70), UNKNOWN),
        ("", "Choose the size or colour you are waiting for."),
    ],
)
def test_an_unknown_variant_is_a_clear_400(client: Client, variant_id, error):
    response = client.post(SUBSCRIBE, {"variant": variant_id, "email": "ada@example.com"})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not StockAlert.objects.exists()


def test_a_variant_in_stock_goes_back_with_the_reason(client: Client):
    in_stock = ProductFactory.create(title="Mug", variants__stock=3).variants.get()

    response = client.post(SUBSCRIBE, {"variant": in_stock.pk, "email": "ada@example.com"})

    assert response.status_code == 303
    assert response["Location"] == _page(in_stock)  # no next: the variant's page
    assert _messages(response) == ["Mug is in stock: you can add it to your cart now."]


def test_next_off_the_site_is_not_followed(client: Client, variant):
    response = client.post(
        SUBSCRIBE, {"variant": variant.pk, "email": "ada@example.com", "next": "https://evil.example/"}
    )

    assert response["Location"] == _page(variant)


def test_the_form_is_a_post(client: Client):
    assert client.get(SUBSCRIBE).status_code == 405


def test_guests_subscriptions_per_client_are_limited(client: Client, variant, settings):
    settings.WISHLIST_STOCK_ALERT_GUEST_PER_HOUR = 3
    cache.clear()
    codes = [
        client.post(SUBSCRIBE, {"variant": variant.pk, "email": f"person{n}@example.com"}).status_code
        for n in range(4)
    ]

    assert codes == [303, 303, 303, 429]
    assert StockAlert.objects.count() == 3


def test_signed_in_shoppers_are_not_limited_as_guests(client: Client, settings):
    settings.WISHLIST_STOCK_ALERT_GUEST_PER_HOUR = 1
    client.force_login(UserFactory.create())
    variants = [ProductFactory.create(variants__stock=0).variants.get() for _ in range(3)]

    codes = [client.post(SUBSCRIBE, {"variant": v.pk}).status_code for v in variants]

    assert codes == [303, 303, 303]


def test_a_tampered_or_orphaned_confirmation_link_is_a_clear_400(client: Client, variant):
    alert = stock_alert_subscribe(variant=variant, email="ada@example.com").alert
    token = stock_alert_confirm_token(alert=alert)

    tampered = client.post(reverse("wishlists:alert_confirm", kwargs={"token": token[:-3] + "abc"}))
    alert.delete()
    orphaned = client.get(reverse("wishlists:alert_confirm", kwargs={"token": token}))

    for response in (tampered, orphaned):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()


def _include(variant: Variant, *, available: int, user: object) -> str:
    request = RequestFactory().get(_page(variant))
    request.user = user  # type: ignore[assignment]
    page = SimpleNamespace(chosen=variant, status=SimpleNamespace(available=available))
    return render_to_string("wishlists/_stock_alert.html", {"page": page, "user": user}, request=request)


def test_the_product_pages_include_asks_a_guest_for_an_address(variant):
    html = _include(variant, available=0, user=AnonymousUser())

    assert f'action="{SUBSCRIBE}"' in html
    assert f'name="variant" value="{variant.pk}"' in html
    assert 'type="email" name="email" required' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert " hidden>" not in html


def test_the_include_needs_no_address_from_an_account_and_hides_while_in_stock(variant):
    user = UserFactory.create()

    sold_out = _include(variant, available=0, user=user)
    in_stock = _include(variant, available=5, user=user)

    assert 'name="email"' not in sold_out
    assert "Email me when it is back" in sold_out
    assert "data-stock-alert hidden>" in in_stock
