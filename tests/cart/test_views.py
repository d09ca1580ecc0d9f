"""The cart's pages through the real views: adding from the product page,
changing, removing and emptying, for guests (a cart held by the session) and
signed-in users (a cart that follows them to any device); refusals with
clear messages that change nothing; JSON answers for the JavaScript."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import NoReverseMatch, reverse

from cart import selectors as cart_selectors
from cart import services as cart_services
from cart.models import Cart, CartLine
from cart.services import cart_promo_apply
from catalog.models import Variant
from promotions.values import (
    Offer,
    OfferKind,
    PromoContext,
    PromoRefused,
    RefusalReason,
)
from tests.cart.factories import cart_with, line_quantities, product_with_variants
from tests.factories import DEFAULT_PASSWORD, UserFactory

if TYPE_CHECKING:
    from datetime import datetime

    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from accounts.models import User

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def _messages(response: Response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _guest_client(cart: Cart) -> Client:
    """A browser whose session holds ``cart``."""
    client = Client()
    session = client.session
    session["cart_id"] = cart.pk
    session.save()
    return client


def _user_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _header_count(content: str) -> int:
    match = re.search(r"data-cart-count>(\d+)<", content)
    assert match, "the header has no cart count"
    return int(match.group(1))


@pytest.fixture
def tee() -> list[Variant]:
    """Tee (Red / M) and Tee (Blue / M) at 10.00, 10 of each in stock."""
    _product, variants = product_with_variants()
    return variants


class Codes:
    """A promotion source for tests: SAVE5 takes 5.00 off, BIG20 needs a
    subtotal of 20.00, LAPSED takes 1.00 off until ``lapsed`` is set."""

    lapsed = False

    def automatic_offers(self, *, now: datetime) -> list[Offer]:
        return []

    def code_offer(self, *, code: str, context: PromoContext) -> Offer:
        code = code.strip().upper()
        if code == "SAVE5":
            return Offer(
                key="code:1", label="SAVE5: 5.00 off", kind=OfferKind.FIXED, value=Decimal(5), code=code
            )
        if code == "BIG20":
            return Offer(
                key="code:2",
                label="BIG20: 20% off",
                kind=OfferKind.PERCENT,
                value=Decimal(20),
                code=code,
                min_subtotal=Decimal(20),
            )
        if code == "LAPSED" and self.lapsed:
            raise PromoRefused(RefusalReason.EXPIRED, "LAPSED expired on 1 May.")
        if code == "LAPSED":
            return Offer(
                key="code:3", label="LAPSED: 1.00 off", kind=OfferKind.FIXED, value=Decimal(1), code=code
            )
        raise PromoRefused(RefusalReason.UNKNOWN, "This code does not exist.")


@pytest.fixture
def codes(monkeypatch: pytest.MonkeyPatch) -> Codes:
    """The cart asks these codes instead of the promotions app's."""
    source = Codes()
    monkeypatch.setattr(cart_selectors, "promotion_offers_active", source.automatic_offers)
    monkeypatch.setattr(cart_selectors, "promo_code_offer", source.code_offer)
    monkeypatch.setattr(cart_services, "promo_code_offer", source.code_offer)
    return source


# --- Adding ------------------------------------------------------------------


def test_a_guest_adds_from_the_product_page_and_the_cart_lives_in_the_session(client, tee):
    red = tee[0]
    product_url = red.product.get_absolute_url()

    response = client.post("/cart/add/", {"variant": red.pk, "quantity": "2", "next": product_url})

    assert response.status_code == 303
    assert response["Location"] == product_url
    cart = Cart.objects.get(pk=client.session["cart_id"])
    assert cart.user is None
    assert line_quantities(cart) == {"Tee (Red / M)": 2}
    assert client.session["cart_count"] == 2
    assert _messages(response) == [
        'Added 2 of Tee (Red / M) to your cart. <a href="/cart/">View your cart</a>'
    ]
    product_page = client.get(product_url).content.decode()
    assert 'Added 2 of Tee (Red / M) to your cart. <a href="/cart/">View your cart</a>' in product_page
    assert _header_count(product_page) == 2


def test_adding_the_same_variant_again_adds_to_the_line(client, tee):
    client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "2"})
    response = client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "3"})

    assert response["Location"] == "/cart/"  # no next: the cart
    assert line_quantities(Cart.objects.get()) == {"Tee (Red / M)": 5}
    assert client.session["cart_count"] == 5


def test_a_user_adds_to_a_cart_that_follows_them_to_another_device(tee):
    user = UserFactory.create()
    phone, laptop = _user_client(user), _user_client(user)

    phone.post("/cart/add/", {"variant": tee[0].pk, "quantity": "1"})
    laptop.post("/cart/add/", {"variant": tee[1].pk, "quantity": "2"})

    cart = Cart.objects.get(user=user)
    assert line_quantities(cart) == {"Tee (Red / M)": 1, "Tee (Blue / M)": 2}
    page = phone.get("/cart/").content.decode()
    assert "Tee (Red / M)" in page
    assert "Tee (Blue / M)" in page
    assert _header_count(page) == 3
    assert "cart_id" not in phone.session  # a user's cart is found by the user


def test_a_posted_price_is_ignored(client, tee):
    client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "2", "price": "0.01", "unit_price": "0.01"})

    line = CartLine.objects.get()
    assert line.price_when_added == Decimal("10.00")
    page = client.get("/cart/").content.decode()
    assert "EUR 20.00" in page
    assert "0.01" not in page


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "The quantity must be at least 1."),
        ("0", "The quantity must be at least 1."),
        ("1e9", "Enter the quantity as a whole number, like 2."),
        ("abc", "Enter the quantity as a whole number, like 2."),
        ("2.5", "Enter the quantity as a whole number, like 2."),
        ("", "Enter a quantity."),
        ("1000000000", "You can buy at most 20 of one item per order."),
        ("99999999999999999999999", "Enter a smaller quantity."),
    ],
)
def test_a_bad_quantity_is_refused_with_a_message_and_nothing_is_created(client, tee, quantity, message):
    response = client.post("/cart/add/", {"variant": tee[0].pk, "quantity": quantity})

    assert response.status_code == 303
    assert _messages(response) == [message]
    assert not Cart.objects.exists()
    assert "cart_id" not in client.session


@pytest.mark.parametrize("variant", ["999999", "abc", "-3", "", "99999999999999999999999"])
def test_an_unknown_variant_is_refused(client, tee, variant):
    response = client.post("/cart/add/", {"variant": variant, "quantity": "1"})

    assert response.status_code == 303
    expected = "Choose a product to add." if variant == "" else "This product does not exist."
    assert _messages(response) == [expected]
    assert not Cart.objects.exists()


def test_an_inactive_variant_is_refused_and_the_existing_cart_stays_as_it_was(tee):
    cart = cart_with((tee[1], 1))
    Variant.objects.filter(pk=tee[0].pk).update(is_active=False)
    client = _guest_client(cart)

    response = client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "1"})

    assert _messages(response) == ["Tee (Red / M) is no longer available."]
    assert line_quantities(cart) == {"Tee (Blue / M)": 1}
    assert Cart.objects.get() == cart  # still held by the session
    assert client.session["cart_id"] == cart.pk


def test_more_than_in_stock_is_refused_with_the_numbers(client):
    _product, (red,) = product_with_variants(colours=("Red",), stock=3)

    response = client.post("/cart/add/", {"variant": red.pk, "quantity": "4"})
    assert _messages(response) == ["Only 3 of Tee (Red / M) are in stock."]

    client.post("/cart/add/", {"variant": red.pk, "quantity": "2"})
    client.get("/cart/")  # shows (and so clears) the messages so far
    response = client.post("/cart/add/", {"variant": red.pk, "quantity": "2"})
    assert _messages(response) == ["Only 3 of Tee (Red / M) are in stock and you have 2 in your cart."]
    assert line_quantities(Cart.objects.get()) == {"Tee (Red / M)": 2}


def test_more_than_the_per_order_maximum_is_refused_with_the_numbers(client, tee, settings):
    settings.CART_MAX_QUANTITY = 4

    response = client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "5"})

    assert _messages(response) == ["You can buy at most 4 of one item per order."]
    assert not CartLine.objects.exists()


def test_next_to_another_site_is_ignored(client, tee):
    response = client.post(
        "/cart/add/", {"variant": tee[0].pk, "quantity": "1", "next": "https://evil.example.com/"}
    )

    assert response["Location"] == "/cart/"


def test_the_product_page_posts_to_the_cart_and_comes_back(client, tee):
    product = tee[0].product

    content = client.get(product.get_absolute_url()).content.decode()

    assert '<form class="add-to-cart" method="post" action="/cart/add/">' in content
    assert f'<input type="hidden" name="next" value="{product.get_absolute_url()}">' in content
    assert "js/cart.js" in content


# --- Changing, removing, emptying ----------------------------------------------


def test_a_guest_changes_a_quantity(tee):
    cart = cart_with((tee[0], 1), (tee[1], 1))
    client = _guest_client(cart)
    line = cart.lines.get(variant=tee[0])

    response = client.post(f"/cart/lines/{line.pk}/update/", {"quantity": "4"})

    assert response.status_code == 303
    assert response["Location"] == "/cart/"
    assert _messages(response) == ["Tee (Red / M): the quantity is now 4."]
    assert line_quantities(cart) == {"Tee (Red / M)": 4, "Tee (Blue / M)": 1}
    assert client.session["cart_count"] == 5


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "The quantity must be at least 1."),
        ("0", "The quantity must be at least 1."),
        ("1e9", "Enter the quantity as a whole number, like 2."),
        ("abc", "Enter the quantity as a whole number, like 2."),
        ("", "Enter a quantity."),
        ("11", "Only 10 of Tee (Red / M) are in stock."),
        ("21", "You can buy at most 20 of one item per order."),
    ],
)
def test_a_bad_new_quantity_is_refused_and_the_line_keeps_its_quantity(tee, quantity, message):
    user = UserFactory.create()
    cart = cart_with((tee[0], 2), user=user)
    client = _user_client(user)
    line = cart.lines.get()

    response = client.post(f"/cart/lines/{line.pk}/update/", {"quantity": quantity})

    assert response.status_code == 303
    assert _messages(response) == [message]
    assert line_quantities(cart) == {"Tee (Red / M)": 2}


def test_a_user_removes_a_line(tee):
    user = UserFactory.create()
    cart = cart_with((tee[0], 1), (tee[1], 2), user=user)
    client = _user_client(user)

    response = client.post(f"/cart/lines/{cart.lines.get(variant=tee[0]).pk}/remove/")

    assert response.status_code == 303
    assert _messages(response) == ["Tee (Red / M) was removed from your cart."]
    assert line_quantities(cart) == {"Tee (Blue / M)": 2}
    assert client.session["cart_count"] == 2


@pytest.mark.parametrize("action", ["update", "remove"])
def test_a_line_of_another_cart_is_a_404_and_stays_as_it_was(tee, action):
    theirs = cart_with((tee[0], 2), user=UserFactory.create())
    mine = cart_with((tee[1], 1))
    their_line = theirs.lines.get()

    for client in (_guest_client(mine), _user_client(UserFactory.create()), Client()):
        response = client.post(f"/cart/lines/{their_line.pk}/{action}/", {"quantity": "1"})
        assert response.status_code == 404

    assert line_quantities(theirs) == {"Tee (Red / M)": 2}
    assert line_quantities(mine) == {"Tee (Blue / M)": 1}


def test_an_unknown_line_id_is_a_404(tee):
    client = _guest_client(cart_with((tee[0], 1)))

    assert client.post("/cart/lines/999999/update/", {"quantity": "1"}).status_code == 404
    assert client.post("/cart/lines/99999999999999999999/remove/").status_code == 404


def test_emptying_the_cart_removes_lines_and_codes(tee, codes):
    cart = cart_with((tee[0], 1), (tee[1], 2))
    cart_promo_apply(cart=cart, code="SAVE5", context=PromoContext())
    client = _guest_client(cart)

    response = client.post("/cart/empty/")

    assert response.status_code == 303
    assert _messages(response) == ["Your cart is empty now."]
    cart.refresh_from_db()
    assert line_quantities(cart) == {}
    assert cart.promo_codes == []
    page = client.get("/cart/").content.decode()
    assert "Your cart is empty." in page
    assert 'href="/products/"' in page
    assert _header_count(page) == 0


def test_every_change_needs_a_post(tee):
    cart = cart_with((tee[0], 1))
    client = _guest_client(cart)
    line = cart.lines.get()

    for url in (
        "/cart/add/",
        f"/cart/lines/{line.pk}/update/",
        f"/cart/lines/{line.pk}/remove/",
        "/cart/promo/",
        "/cart/promo/remove/",
        "/cart/empty/",
    ):
        assert client.get(url).status_code == 405, url
    assert line_quantities(cart) == {"Tee (Red / M)": 1}


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(tee):
    user = UserFactory.create()
    cart = cart_with((tee[0], 2), user=user)
    line = cart.lines.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    guest = Client(enforce_csrf_checks=True)

    assert guest.post("/cart/add/", {"variant": tee[1].pk, "quantity": "1"}).status_code == 403
    assert client.post("/cart/add/", {"variant": tee[1].pk, "quantity": "1"}).status_code == 403
    assert client.post(f"/cart/lines/{line.pk}/update/", {"quantity": "5"}).status_code == 403
    assert client.post(f"/cart/lines/{line.pk}/remove/").status_code == 403
    assert client.post("/cart/empty/").status_code == 403
    assert client.post("/cart/promo/", {"code": "SAVE5"}).status_code == 403

    assert Cart.objects.get() == cart
    assert line_quantities(cart) == {"Tee (Red / M)": 2}


def test_every_cart_form_carries_a_csrf_token(tee, codes):
    cart = cart_with((tee[0], 1))
    cart_promo_apply(cart=cart, code="SAVE5", context=PromoContext())
    content = _guest_client(cart).get("/cart/").content.decode()

    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", content, flags=re.DOTALL)
    # quantity, remove, empty, code remove, code apply (and the header's log-out is not there: a guest)
    assert len(forms) == 5
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form


# --- The cart page -------------------------------------------------------------


def test_the_cart_page_shows_each_line_and_the_totals(tee):
    cart = cart_with((tee[0], 2), (tee[1], 1))
    response = _guest_client(cart).get("/cart/")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    content = response.content.decode()
    red, blue = cart.lines.order_by("pk")
    assert f'<a href="{tee[0].product.get_absolute_url()}?variant={tee[0].pk}">Tee (Red / M)</a>' in content
    assert f'id="quantity-{red.pk}" type="number" name="quantity" value="2" min="1" max="10"' in content
    assert f'action="/cart/lines/{blue.pk}/remove/"' in content
    assert '<span class="visually-hidden"> Tee (Blue / M)</span>' in content  # "Remove Tee (Blue / M)"
    assert '<span class="price">EUR 10.00</span>' in content
    assert '<strong class="price">EUR 20.00</strong>' in content
    assert "<dt>Subtotal</dt><dd>EUR 30.00</dd>" in content
    assert "Calculated at checkout" in content
    assert "<dd data-cart-total>EUR 30.00</dd>" in content
    assert _header_count(content) == 3


def test_the_checkout_button_shows_once_the_checkout_exists(tee, settings):
    client = _guest_client(cart_with((tee[0], 1)))

    settings.ROOT_URLCONF = "tests.cart.urls_with_checkout"
    content = client.get("/cart/").content.decode()

    assert '<a class="button" href="/checkout/">Checkout</a>' in content
    assert "Checkout opens soon." not in content


def test_until_the_checkout_exists_the_cart_says_it_opens_soon(tee, monkeypatch):
    def no_checkout(name: str, *args: Any, **kwargs: Any) -> str:
        if name == "orders:checkout":
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr("cart.pages.reverse", no_checkout)
    content = _guest_client(cart_with((tee[0], 1))).get("/cart/").content.decode()

    assert "Checkout opens soon." in content
    assert 'href="/checkout/"' not in content


def test_the_header_shows_the_count_on_other_pages_with_its_name(client, tee):
    client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "3"})

    content = client.get("/").content.decode()

    assert _header_count(content) == 3
    assert '<span class="visually-hidden" data-cart-count-label>Cart, 3 items</span>' in content


def test_tax_is_shown_as_included_or_added(tee, settings):
    from cart.models import TaxRate

    TaxRate.objects.create(country="DE", tax_class="standard", rate=Decimal(19), name="VAT")
    cart = cart_with((tee[0], 2))
    client = _guest_client(cart)

    content = client.get("/cart/").content.decode()
    assert "<dt>incl. VAT (19%)</dt><dd>EUR 3.19</dd>" in content
    assert "<dd data-cart-total>EUR 20.00</dd>" in content

    settings.PRICES_INCLUDE_TAX = False
    content = client.get("/cart/").content.decode()
    assert "<dt>Tax (19%)</dt><dd>EUR 3.80</dd>" in content
    assert "<dd data-cart-total>EUR 23.80</dd>" in content


def test_a_deleted_variant_drops_out_with_a_message(tee):
    cart = cart_with((tee[0], 1), (tee[1], 2))
    client = _guest_client(cart)
    tee[0].delete()

    response = client.get("/cart/")

    assert _messages(response) == ["Tee (Red / M) is no longer available and was removed from your cart."]
    content = response.content.decode()
    assert "Tee (Red / M) is no longer available and was removed from your cart." in content
    assert line_quantities(cart) == {"Tee (Blue / M)": 2}
    assert _header_count(content) == 2
    assert _messages(client.get("/cart/")) == []  # said once


def test_a_deactivated_variant_or_product_drops_out_with_a_message(tee):
    _other, (cap,) = product_with_variants("Cap", colours=("Green",))
    cart = cart_with((tee[0], 1), (tee[1], 2), (cap, 1))
    Variant.objects.filter(pk=tee[1].pk).update(is_active=False)
    type(cap.product).objects.filter(pk=cap.product_id).update(is_active=False)

    response = _guest_client(cart).get("/cart/")

    assert sorted(_messages(response)) == [
        "Cap (Green / M) is no longer available and was removed from your cart.",
        "Tee (Blue / M) is no longer available and was removed from your cart.",
    ]
    assert line_quantities(cart) == {"Tee (Red / M)": 1}


def test_a_changed_price_and_short_stock_are_flagged_on_the_line(tee):
    cart = cart_with((tee[0], 3), (tee[1], 1))
    Variant.objects.filter(pk=tee[0].pk).update(price=Decimal("12.50"))
    Variant.objects.filter(pk=tee[1].pk).update(stock_on_hand=0)

    content = _guest_client(cart).get("/cart/").content.decode()

    assert "The price changed from 10.00 to 12.50 since you added it." in content
    assert '<strong class="price">EUR 37.50</strong>' in content
    assert "Out of stock now: remove it to check out." in content


def test_a_quantity_beyond_stock_is_flagged_and_updating_it_clears_the_price_warning(tee):
    cart = cart_with((tee[0], 5))
    Variant.objects.filter(pk=tee[0].pk).update(stock_on_hand=2, price=Decimal("11.00"))
    client = _guest_client(cart)

    content = client.get("/cart/").content.decode()
    assert "Only 2 left: lower the quantity to check out." in content
    assert 'max="2"' in content

    client.post(f"/cart/lines/{cart.lines.get().pk}/update/", {"quantity": "2"})
    content = client.get("/cart/").content.decode()
    assert "Only 2 left" not in content
    assert "The price changed" not in content


# --- Promo codes -----------------------------------------------------------------


def test_applying_and_removing_a_code_changes_the_total(tee, codes):
    cart = cart_with((tee[0], 2))
    client = _guest_client(cart)

    response = client.post("/cart/promo/", {"code": " save5 "})
    assert _messages(response) == ["The code SAVE5 was applied."]
    content = client.get("/cart/").content.decode()
    assert "<dt>SAVE5: 5.00 off</dt><dd>\N{MINUS SIGN} EUR 5.00</dd>" in content
    assert "<dd data-cart-total>EUR 15.00</dd>" in content
    assert '<input type="hidden" name="code" value="SAVE5">' in content

    response = client.post("/cart/promo/remove/", {"code": "SAVE5"})
    assert _messages(response) == ["The code SAVE5 was removed."]
    cart.refresh_from_db()
    assert cart.promo_codes == []
    assert "<dd data-cart-total>EUR 20.00</dd>" in client.get("/cart/").content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter a promo code."),
        ("NOPE", "This code does not exist."),
        ("BIG20", "BIG20 needs a subtotal of EUR 20.00: add EUR 10.00 more."),
        ("X" * 65, "This code does not exist."),
    ],
)
def test_a_refused_code_says_why_and_is_not_held(tee, codes, code, message):
    cart = cart_with((tee[0], 1))

    response = _guest_client(cart).post("/cart/promo/", {"code": code})

    assert _messages(response) == [message]
    cart.refresh_from_db()
    assert cart.promo_codes == []


def test_a_code_without_a_cart_is_refused(client, codes):
    response = client.post("/cart/promo/", {"code": "SAVE5"})

    assert _messages(response) == ["Add something to your cart before applying a code."]
    assert not Cart.objects.exists()


def test_removing_a_code_that_is_not_held_says_so(tee, codes):
    response = _guest_client(cart_with((tee[0], 1))).post("/cart/promo/remove/", {"code": "SAVE5"})

    assert _messages(response) == ["SAVE5 is not applied to your cart."]


def test_a_held_code_that_lapsed_says_why_beside_the_form(tee, codes):
    cart = cart_with((tee[0], 1))
    cart_promo_apply(cart=cart, code="LAPSED", context=PromoContext())
    codes.lapsed = True

    content = _guest_client(cart).get("/cart/").content.decode()

    assert "Not applied: LAPSED expired on 1 May." in content
    assert "<dd data-cart-total>EUR 10.00</dd>" in content


# --- Answers for the JavaScript ----------------------------------------------------


def test_adding_with_javascript_answers_json(client, tee):
    response = client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "2"}, headers=JSON)

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Added 2 of Tee (Red / M) to your cart.",
        "count": 2,
        "cart_url": "/cart/",
    }
    assert _messages(response) == []  # said in the answer, not on the next page


def test_a_refusal_with_javascript_is_a_400_with_the_message(client, tee):
    client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "2"})

    response = client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "abc"}, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "message": "Enter the quantity as a whole number, like 2.",
        "count": 2,
    }

    response = client.post(
        "/cart/add/", {"variant": tee[0].pk, "quantity": "1"}, headers={"X-Requested-With": "XMLHttpRequest"}
    )
    assert response.status_code == 200


def test_changes_on_the_cart_page_answer_with_the_new_body(tee, codes):
    cart = cart_with((tee[0], 1), (tee[1], 1))
    client = _guest_client(cart)
    red = cart.lines.get(variant=tee[0])

    response = client.post(f"/cart/lines/{red.pk}/update/", {"quantity": "3"}, headers=JSON)
    data: dict[str, Any] = response.json()
    assert response.status_code == 200
    assert set(data) == {"ok", "message", "count", "html"}
    assert (data["ok"], data["message"], data["count"]) == (True, "Tee (Red / M): the quantity is now 3.", 4)
    assert 'value="3"' in data["html"]
    assert "<dd data-cart-total>EUR 40.00</dd>" in data["html"]
    assert "<html" not in data["html"]

    response = client.post("/cart/promo/", {"code": "SAVE5"}, headers=JSON)
    assert response.status_code == 200
    assert "<dd data-cart-total>EUR 35.00</dd>" in response.json()["html"]

    response = client.post("/cart/promo/", {"code": "NOPE"}, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": "This code does not exist.", "count": 4}

    response = client.post(f"/cart/lines/{red.pk}/update/", {"quantity": "0"}, headers=JSON)
    assert response.status_code == 400
    assert response.json()["message"] == "The quantity must be at least 1."

    response = client.post(f"/cart/lines/{red.pk}/remove/", headers=JSON)
    assert response.json()["count"] == 1
    assert "Tee (Red / M)" not in response.json()["html"]

    response = client.post("/cart/empty/", headers=JSON)
    assert response.json()["count"] == 0
    assert "Your cart is empty." in response.json()["html"]
    assert client.session["cart_count"] == 0


def test_another_carts_line_is_a_404_also_for_javascript(tee):
    theirs = cart_with((tee[0], 2))
    client = _guest_client(cart_with((tee[1], 1)))

    response = client.post(f"/cart/lines/{theirs.lines.get().pk}/remove/", headers=JSON)

    assert response.status_code == 404


# --- Merging at sign-in -------------------------------------------------------------


def test_a_guest_cart_merges_into_the_users_at_login_with_capped_quantities(client):
    _product, (red, blue) = product_with_variants(stock=4)
    user = UserFactory.create(email="ada@example.com")
    cart_with((red, 3), user=user)
    client.post("/cart/add/", {"variant": red.pk, "quantity": "3"})
    client.post("/cart/add/", {"variant": blue.pk, "quantity": "2"})

    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    cart = Cart.objects.get(user=user)
    assert line_quantities(cart) == {"Tee (Red / M)": 4, "Tee (Blue / M)": 2}
    assert Cart.objects.count() == 1  # the guest cart went
    page = client.get("/cart/")
    content = page.content.decode()
    assert "We added 3 items from before you signed in to your cart." in content
    assert "Only 1 more of Tee (Red / M) could be added (stock or per-order limit)." in content
    assert _header_count(content) == 6


def test_a_guest_cart_becomes_the_users_when_they_had_none(client, tee):
    user = UserFactory.create(email="ada@example.com")
    client.post("/cart/add/", {"variant": tee[0].pk, "quantity": "2"})

    client.post("/accounts/login/", {"login": "ada@example.com", "password": DEFAULT_PASSWORD})

    assert line_quantities(Cart.objects.get(user=user)) == {"Tee (Red / M)": 2}
    assert _header_count(client.get("/").content.decode()) == 2
