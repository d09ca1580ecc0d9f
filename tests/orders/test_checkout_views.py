"""The checkout's pages through the test client: each step refuses to run
before the ones it needs, the forms put the services' errors on their
fields, the payment step places exactly one order however often it is
loaded, and only the gateway's answer (heard by the payments listener)
makes an order paid."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Address
from cart.models import Cart, CartLine
from catalog.models import StockMovement, Variant
from orders.models import Checkout, Order, OrderEvent
from orders.sessions import SESSION_ORDERS
from orders.status import UNPAID
from payments.models import Payment
from promotions.models import PromoCode
from promotions.services import promo_code_save
from promotions.values import OfferKind
from shipping.models import ShippingMethod, ShippingZone
from tests.factories import AddressFactory, UserFactory
from tests.orders.factories import BERLIN, cart_of, checkout_ready, germany, option_id, stocked_variants

pytestmark = pytest.mark.django_db

CARD = {"expiry": "12/40", "cvc": "123"}
ADDRESS_POST = {
    "ship_to": "new",
    "billing_same": "on",
    "country_code": "DE",
    "full_name": "Ada Lovelace",
    "street_address_1": "Unter den Linden 1",
    "postal_code": "10117",
    "city": "Berlin",
}


@pytest.fixture
def standard() -> ShippingMethod:
    return germany()


@pytest.fixture
def lamp() -> Variant:
    (variant,) = stocked_variants(5, title="Lamp", price=Decimal("20.00"))
    return variant


def browser(cart: Cart) -> Client:
    """A guest's browser whose session holds ``cart``."""
    client = Client()
    session = client.session
    session["cart_id"] = cart.pk
    session.save()
    return client


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def guest_ready(lamp: Variant, standard: ShippingMethod, quantity: int = 1) -> tuple[Client, Checkout]:
    cart = cart_of((lamp, quantity))
    return browser(cart), checkout_ready(cart, standard)


def pay_with(client: Client, number: str) -> Any:
    page = client.get("/checkout/payment/")
    order = page.context["order"]
    return client.post("/checkout/payment/", {"number": number, **CARD, "order": order.number})


# --- Steps and their prerequisites ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/checkout/", "/checkout/contact/", "/checkout/address/", "/checkout/shipping/", "/checkout/payment/"],
)
def test_without_a_cart_or_with_an_empty_one_every_step_sends_the_shopper_to_the_cart(url, lamp):
    assert Client().get(url)["Location"] == "/cart/"

    empty = browser(cart_of())
    response = empty.get(url, follow=True)
    assert response.redirect_chain == [("/cart/", 302)]
    assert "Your cart is empty: add something to check out." in messages_of(response)


def test_a_guest_is_sent_to_the_first_step_still_missing(lamp, standard):
    cart = cart_of((lamp, 1))
    client = browser(cart)

    assert client.get("/checkout/").status_code == 200  # the contact step itself
    for url in ("/checkout/address/", "/checkout/shipping/", "/checkout/payment/"):
        assert client.get(url)["Location"] == "/checkout/contact/"

    assert client.post("/checkout/", {"email": "ada@example.com"})["Location"] == "/checkout/address/"
    assert client.get("/checkout/")["Location"] == "/checkout/address/"
    for url in ("/checkout/shipping/", "/checkout/payment/"):
        assert client.get(url)["Location"] == "/checkout/address/"

    assert client.post("/checkout/address/", ADDRESS_POST)["Location"] == "/checkout/shipping/"
    assert client.get("/checkout/payment/")["Location"] == "/checkout/shipping/"
    assert client.get("/checkout/")["Location"] == "/checkout/shipping/"

    assert Order.objects.count() == 0  # nothing is placed before the shopper goes to pay
    assert (
        client.post("/checkout/shipping/", {"option": option_id(standard)})["Location"]
        == "/checkout/payment/"
    )
    assert client.get("/checkout/")["Location"] == "/checkout/payment/"
    order = Order.objects.get()  # "Continue to payment" placed it; the payment page finds it
    assert client.get("/checkout/payment/").context["order"] == order
    assert Order.objects.count() == 1


def test_signed_in_customers_skip_the_contact_step(lamp, standard):
    user = UserFactory.create(email="grace@example.com")
    cart_of((lamp, 1), user=user)
    client = signed_in(user)

    assert client.get("/checkout/")["Location"] == "/checkout/address/"
    assert client.get("/checkout/contact/")["Location"] == "/checkout/address/"
    response = client.get("/checkout/address/")
    assert [s["name"] for s in response.context["steps"]] == ["address", "shipping", "payment"]


def test_the_checkout_resumes_in_a_new_tab_and_after_a_reload(lamp, standard):
    cart = cart_of((lamp, 1))
    client = browser(cart)
    client.post("/checkout/", {"email": "ada@example.com"})
    client.post("/checkout/address/", ADDRESS_POST)

    other_tab = Client()
    other_tab.cookies = client.cookies  # the same browser, another tab
    response = other_tab.get("/checkout/")
    assert response["Location"] == "/checkout/shipping/"
    page = other_tab.get("/checkout/address/")
    assert page.context["shipping_form"]["postal_code"].value() == "10117"
    assert "Contact: ada@example.com" in page.content.decode()


# --- Contact ---------------------------------------------------------------------------


def test_a_guest_gives_a_valid_email_or_signs_in_instead(lamp):
    client = browser(cart_of((lamp, 1)))

    page = client.get("/checkout/")
    content = page.content.decode()
    assert 'href="/accounts/login/?next=%2Fcheckout%2F"' in content
    assert 'autocomplete="email"' in content

    response = client.post("/checkout/", {"email": "not an email"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert 'role="alert"' in response.content.decode()

    assert (
        client.post("/checkout/contact/", {"email": " ada@example.com "})["Location"] == "/checkout/address/"
    )
    assert Checkout.objects.get().email == "ada@example.com"


# --- Address -----------------------------------------------------------------------------


@pytest.fixture
def at_address(lamp, standard) -> Client:
    cart = cart_of((lamp, 1))
    client = browser(cart)
    client.post("/checkout/", {"email": "ada@example.com"})
    return client


def test_a_postcode_wrong_for_the_country_is_an_error_on_its_field(at_address):
    response = at_address.post("/checkout/address/", {**ADDRESS_POST, "postal_code": "1234"})

    assert response.status_code == 200
    form = response.context["shipping_form"]
    assert form.errors == {"postal_code": ["Enter a valid postal code for Germany, for example 26133."]}
    content = response.content.decode()
    assert 'href="#id_postal_code"' in content  # the summary links to the field
    assert Checkout.objects.get().shipping_address == {}


def test_a_country_we_do_not_ship_to_is_said_above_the_form(at_address):
    paris = {
        **ADDRESS_POST,
        "country_code": "FR",
        "street_address_1": "1 Rue de Rivoli",
        "postal_code": "75001",
    }
    response = at_address.post("/checkout/address/", {**paris, "city": "Paris"})

    assert response.status_code == 200
    assert response.context["shipping_form"].non_field_errors() == ["Sorry, we do not ship to France."]
    assert "Sorry, we do not ship to France." in response.content.decode()


def test_a_separate_billing_address_is_validated_and_kept(at_address):
    billing = {
        "billing-country_code": "GB",
        "billing-full_name": "Ada Lovelace",
        "billing-street_address_1": "10 Downing Street",
        "billing-city": "London",
        "billing-postal_code": "nope",
    }
    separate = {key: value for key, value in ADDRESS_POST.items() if key != "billing_same"}

    response = at_address.post("/checkout/address/", {**separate, **billing})
    assert response.status_code == 200
    assert list(response.context["billing_form"].errors) == ["postal_code"]
    assert response.context["shipping_form"].errors == {}

    response = at_address.post(
        "/checkout/address/", {**separate, **billing, "billing-postal_code": "sw1a 2aa"}
    )
    assert response["Location"] == "/checkout/shipping/"
    checkout = Checkout.objects.get()
    assert checkout.billing_same_as_shipping is False
    assert checkout.billing_address["postal_code"] == "SW1A 2AA"
    assert checkout.billing_address["country_code"] == "GB"
    assert checkout.shipping_address["postal_code"] == "10117"


def test_a_customer_picks_from_the_address_book_with_the_default_preselected(lamp, standard):
    user = UserFactory.create()
    AddressFactory.create(
        user=user, label="Work", street_address_1="Friedrichstr. 2", is_default_shipping=False
    )
    home = AddressFactory.create(user=user, label="Home", is_default_shipping=True, phone="+4930123456")
    cart_of((lamp, 1), user=user)
    client = signed_in(user)

    page = client.get("/checkout/address/")
    assert page.context["choice"]["ship_to"].value() == str(home.pk)
    content = page.content.decode()
    assert "Unter den Linden 1" in content
    assert "Friedrichstr. 2" in content

    response = client.post("/checkout/address/", {"ship_to": str(home.pk), "billing_same": "on"})
    assert response["Location"] == "/checkout/shipping/"
    shipping = Checkout.objects.get().shipping_address
    assert (shipping["street_address_1"], shipping["phone"]) == ("Unter den Linden 1", "+4930123456")
    assert client.get("/checkout/address/").context["choice"]["ship_to"].value() == str(home.pk)


def test_a_new_address_can_be_saved_to_the_address_book(lamp, standard):
    user = UserFactory.create()
    cart_of((lamp, 1), user=user)
    client = signed_in(user)

    response = client.post("/checkout/address/", {**ADDRESS_POST, "save_to_book": "on"})

    assert response["Location"] == "/checkout/shipping/"
    (saved,) = Address.objects.filter(user=user)
    assert (saved.street_address_1, saved.postal_code, saved.is_default_shipping) == (
        "Unter den Linden 1",
        "10117",
        True,
    )


def test_someone_elses_address_cannot_be_chosen(lamp, standard):
    user = UserFactory.create()
    other = AddressFactory.create()
    cart_of((lamp, 1), user=user)

    response = signed_in(user).post("/checkout/address/", {"ship_to": str(other.pk), "billing_same": "on"})

    assert response.status_code == 200
    assert "ship_to" in response.context["choice"].errors
    assert Checkout.objects.get().shipping_address == {}


# --- Shipping method ---------------------------------------------------------------------


@pytest.fixture
def at_shipping(lamp, standard) -> Client:
    cart = cart_of((lamp, 1))
    client = browser(cart)
    client.post("/checkout/", {"email": "ada@example.com"})
    client.post("/checkout/address/", ADDRESS_POST)
    return client


def test_the_methods_on_offer_are_listed_with_estimate_and_price(at_shipping, standard):
    express = ShippingMethod.objects.create(
        zone=standard.zone, name="Express", price=Decimal("12.90"), delivery_estimate="Next business day"
    )

    response = at_shipping.get("/checkout/shipping/")

    content = response.content.decode()
    assert [option.name for option, _radio in response.context["option_radios"]] == ["Standard", "Express"]
    assert response.context["form"]["option"].value() == option_id(standard)  # the cheapest first
    assert "Next business day" in content
    assert "EUR 12.90" in content
    assert "Live carrier rates" not in content

    response = at_shipping.post("/checkout/shipping/", {"option": option_id(express)})
    assert response["Location"] == "/checkout/payment/"
    assert Checkout.objects.get().shipping_option_id == option_id(express)


def test_a_posted_method_that_is_not_on_offer_is_refused(at_shipping):
    elsewhere = ShippingMethod.objects.create(
        zone=ShippingZone.objects.create(name="US", countries="US"), name="Cheap", price=Decimal("0.10")
    )

    response = at_shipping.post("/checkout/shipping/", {"option": option_id(elsewhere)})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "option": ["That shipping method is not available for this address any more. Please choose again."]
    }
    assert Checkout.objects.get().shipping_option_id == ""


def test_the_fallback_notice_shows_when_live_carrier_rates_failed(at_shipping, settings):
    from django.core.cache import cache

    settings.SHIPPING_CARRIERS = ["table", "easypost"]
    settings.EASYPOST_API_KEY = "EZTK-test"
    cache.set("shipping:down:easypost", "timeout", 60)  # the carrier failed a moment ago

    response = at_shipping.get("/checkout/shipping/")

    assert response.context["notice"] == (
        "Live carrier rates are not available right now, so our standard shipping rates are shown."
    )
    assert (
        '<p class="message message-warning" role="status">Live carrier rates are not available right now'
        in response.content.decode()
    )


def test_the_summary_shows_every_amount_from_the_pricing(at_shipping, standard):
    promo_code_save(code=PromoCode(name="Ten", code="TEN", kind=OfferKind.PERCENT, value=Decimal(10)))
    cart = Cart.objects.get()
    cart.promo_codes = ["TEN"]
    cart.save()
    at_shipping.post("/checkout/shipping/", {"option": option_id(standard)})

    summary = at_shipping.get("/checkout/shipping/").context["summary"]

    b = summary.breakdown
    assert (b.subtotal, b.discount_total, b.shipping, b.total) == (
        Decimal("20.00"),
        Decimal("2.00"),
        Decimal("4.90"),
        Decimal("22.90"),
    )
    assert [(row.title, row.quantity, row.total) for row in summary.rows] == [("Lamp", 1, Decimal("18.00"))]


# --- Review and payment -------------------------------------------------------------------


def test_the_payment_step_places_one_pending_order_and_one_payment_however_often_it_loads(lamp, standard):
    client, _checkout = guest_ready(lamp, standard, quantity=2)

    first = client.get("/checkout/payment/")
    second = client.get("/checkout/payment/")

    assert first.status_code == second.status_code == 200
    order = Order.objects.get()
    assert first.context["order"] == second.context["order"] == order
    assert order.status == Order.Status.PENDING_PAYMENT
    assert (order.subtotal, order.shipping_price, order.total) == (
        Decimal("40.00"),
        Decimal("4.90"),
        Decimal("44.90"),
    )
    (payment,) = Payment.objects.all()
    assert (payment.order_reference, payment.amount, payment.status) == (order.number, order.total, "pending")
    lamp.refresh_from_db()
    assert lamp.stock_reserved == 2
    content = second.content.decode()
    assert f"We hold these items for you until {order.reservation_expires_at:%H:%M}." in content
    assert "TEST MODE — no real payment" in content
    assert "Pay EUR 44.90" in content
    assert client.session[SESSION_ORDERS] == [order.number]
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", order.number)


def test_an_item_sold_out_meanwhile_is_named_before_paying(lamp, standard):
    client, _checkout = guest_ready(lamp, standard, quantity=2)
    Variant.objects.filter(pk=lamp.pk).update(stock_on_hand=1)

    response = client.get("/checkout/payment/", follow=True)

    assert response.redirect_chain == [("/cart/", 302)]
    assert "Only 1 of Lamp are left. Please update your cart; you have not been charged." in messages_of(
        response
    )
    assert not Order.objects.exists()


def test_a_good_card_pays_the_order_through_the_gateways_word(
    lamp, standard, django_capture_on_commit_callbacks
):
    client, _checkout = guest_ready(lamp, standard, quantity=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_with(client, "4242 4242 4242 4242")

    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/checkout/complete/{order.number}/"
    assert order.status == Order.Status.PAID
    assert list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status")) == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
    ]
    sale = StockMovement.objects.get(variant=lamp, reason=StockMovement.Reason.SALE)
    assert (sale.reference, sale.on_hand_change, sale.reserved_change) == (order.number, -2, -2)
    (email,) = mail.outbox
    assert email.to == ["ada@example.com"]
    assert order.number in email.subject
    assert not CartLine.objects.exists()  # paying emptied the cart

    page = client.get(response["Location"])
    assert client.session["cart_count"] == 0  # the header says so
    content = page.content.decode()
    assert "Thank you for your order" in content
    assert "A confirmation email is on its way to ada@example.com." in content
    assert 'href="/accounts/signup/?email=ada%40example.com"' in content
    assert "Unter den Linden 1" in content


def test_a_declined_card_leaves_the_order_pending_with_a_message_and_a_new_form(
    lamp, standard, django_capture_on_commit_callbacks
):
    client, _checkout = guest_ready(lamp, standard)

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_with(client, "4000 0000 0000 0002")

    assert response["Location"] == "/checkout/payment/"
    order = Order.objects.get()
    assert order.status in UNPAID  # still awaiting payment, its stock still held
    lamp.refresh_from_db()
    assert lamp.stock_reserved == 1
    page = client.get("/checkout/payment/")
    content = page.content.decode()
    assert "Your card was declined. Nothing was charged. Please try another card." in content
    assert 'name="number"' in content
    assert page.context["order"] == order  # the same order, still held
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_with(client, "4242424242424242")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Payment.objects.get().status == Payment.Status.CAPTURED


def test_a_card_that_asks_for_authentication_goes_through_the_bank_step(
    lamp, standard, django_capture_on_commit_callbacks
):
    client, _checkout = guest_ready(lamp, standard)

    response = pay_with(client, "4000 0025 0000 3155")
    assert response["Location"] == "/checkout/payment/authenticate/"
    page = client.get(response["Location"])
    assert "Complete authentication" in page.content.decode()
    assert Order.objects.get().status == Order.Status.PENDING_PAYMENT

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/checkout/payment/authenticate/", {"approve": "1"})

    order = Order.objects.get()
    assert response["Location"] == f"/checkout/complete/{order.number}/"
    assert order.status == Order.Status.PAID
    assert client.get("/checkout/payment/authenticate/")["Location"] == "/cart/"  # nothing left to pay


def test_failing_authentication_returns_to_the_card_form(lamp, standard, django_capture_on_commit_callbacks):
    client, _checkout = guest_ready(lamp, standard)
    pay_with(client, "4000 0025 0000 3155")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/checkout/payment/authenticate/", {"approve": "0"})

    assert response["Location"] == "/checkout/payment/"
    assert Order.objects.get().status in UNPAID
    assert "Please try another card." in client.get("/checkout/payment/").content.decode()
    assert client.get("/checkout/payment/authenticate/")["Location"] == "/checkout/payment/"


def test_a_card_form_for_an_order_that_changed_since_is_not_charged(lamp, standard):
    client, checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    CartLine.objects.filter(cart=checkout.cart).update(quantity=3)

    response = client.post("/checkout/payment/", {"number": "4242424242424242", **CARD, "order": "OLD"})

    assert response["Location"] == "/checkout/payment/"
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == 0
    old, new = Order.objects.order_by("pk")
    assert (old.status, new.status, new.total) == ("cancelled", "pending_payment", Decimal("64.90"))


def test_card_numbers_are_never_echoed_back(lamp, standard):
    client, _checkout = guest_ready(lamp, standard)
    order = client.get("/checkout/payment/").context["order"]

    response = client.post(
        "/checkout/payment/",
        {"number": "4242424242424242", "expiry": "13/99", "cvc": "123", "order": order.number},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "4242424242424242" not in content
    assert 'value="123"' not in content


# --- Who sees an order ----------------------------------------------------------------------


def test_an_order_is_seen_by_its_customer_and_the_browser_that_placed_it_only(lamp, standard):
    client, _checkout = guest_ready(lamp, standard)
    order = client.get("/checkout/payment/").context["order"]
    user = UserFactory.create()
    mine = client.get(f"/checkout/complete/{order.number}/")

    assert mine.status_code == 200
    assert "waiting for the payment confirmation" in mine.content.decode()
    assert client.get(f"/orders/{order.number}/").status_code == 200
    for stranger in (Client(), signed_in(user)):
        assert stranger.get(f"/checkout/complete/{order.number}/").status_code == 404
        assert stranger.get(f"/orders/{order.number}/").status_code == 404

    Order.objects.filter(pk=order.pk).update(user=user)  # claimed at sign-in
    assert signed_in(user).get(f"/orders/{order.number}/").status_code == 200
    assert signed_in(UserFactory.create()).get(f"/orders/{order.number}/").status_code == 404


def test_a_signed_in_customers_order_is_theirs(lamp, standard, django_capture_on_commit_callbacks):
    user = UserFactory.create(email="grace@example.com")
    cart = cart_of((lamp, 1), user=user)
    checkout_ready(cart, standard, user=user)
    client = signed_in(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_with(client, "4242424242424242")

    order = Order.objects.get()
    assert (order.user, order.email, order.status) == (user, "grace@example.com", "paid")
    content = client.get(response["Location"]).content.decode()
    assert "A confirmation email is on its way to grace@example.com." in content
    assert "Create an account" not in content
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "Paid" in detail
    assert "Lamp" in detail
    assert mail.outbox[0].to == ["grace@example.com"]


def test_the_complete_page_of_an_unknown_number_is_a_404():
    assert Client().get("/checkout/complete/NOPE-NOPE-NOPE/").status_code == 404


def test_addresses_reach_the_order_as_given(lamp, standard):
    client, _checkout = guest_ready(lamp, standard)
    order = client.get("/checkout/payment/").context["order"]
    assert order.shipping_address["postal_code"] == BERLIN["postal_code"]
    assert order.billing_address == order.shipping_address


# --- Stripe, against localstripe -----------------------------------------------------------


def _card_token(base: str, number: str) -> str:
    """What the fake Stripe.js's card Element does in the browser: the card
    goes to Stripe with the publishable key, never to the shop."""
    import requests

    response = requests.post(
        f"{base}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2040",
            "card[cvc]": "123",
            "key": "pk_test_localstripe",
        },
        timeout=5,
    )
    card_id: str = response.json()["card"]["id"]
    return card_id


@pytest.mark.localstripe
def test_the_stripe_payment_step_renders_the_payment_element_with_its_client_secret(
    localstripe, lamp, standard
):
    client, _checkout = guest_ready(lamp, standard)

    content = client.get("/checkout/payment/").content.decode()

    payment = Payment.objects.get()
    assert (payment.gateway, payment.amount) == ("stripe", Decimal("24.90"))
    assert f'data-client-secret="{payment.gateway_reference}_secret_' in content
    assert 'data-publishable-key="pk_test_localstripe"' in content
    order = Order.objects.get()
    assert f'data-return-url="http://testserver/checkout/payment/return/?order={order.number}"' in content
    assert f'<script src="{localstripe}/js.stripe.com/v3/"></script>' in content
    assert "TEST MODE" not in content


@pytest.mark.localstripe
def test_returning_from_stripe_pays_the_order_only_once_stripe_says_so(
    localstripe, lamp, standard, django_capture_on_commit_callbacks
):
    from tests.payments.helpers import browser_pays

    client, _checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    order = Order.objects.get()
    return_url = f"/checkout/payment/return/?order={order.number}&redirect_status=succeeded"

    # Back before paying, whatever the URL claims: nothing is paid.
    response = client.get(return_url)
    assert response["Location"] == f"/checkout/complete/{order.number}/"
    assert "waiting for the payment confirmation" in client.get(response["Location"]).content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT

    browser_pays(localstripe, Payment.objects.get(), "4242424242424242")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(return_url)

    order.refresh_from_db()
    assert response["Location"] == f"/checkout/complete/{order.number}/"
    assert order.status == Order.Status.PAID
    assert Payment.objects.get().status == Payment.Status.CAPTURED
    assert len(mail.outbox) == 1


@pytest.mark.localstripe
def test_a_card_stripe_declines_sends_the_shopper_back_to_pay_with_the_reason(
    localstripe, lamp, standard, django_capture_on_commit_callbacks
):
    from tests.payments.helpers import browser_pays

    client, _checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    order = Order.objects.get()
    browser_pays(localstripe, Payment.objects.get(), "4000000000000341")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/checkout/payment/return/?order={order.number}", follow=True)

    assert response.redirect_chain[-1][0] == "/checkout/payment/"
    assert "Your card was declined. Nothing was charged. Please try another card." in messages_of(response)
    order.refresh_from_db()
    assert order.status in UNPAID


@pytest.mark.localstripe
def test_the_complete_page_asks_stripe_when_the_webhook_is_late(
    localstripe, lamp, standard, django_capture_on_commit_callbacks
):
    from tests.payments.helpers import browser_pays

    client, _checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    order = Order.objects.get()
    browser_pays(localstripe, Payment.objects.get(), "4242424242424242")

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/checkout/complete/{order.number}/").status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    content = client.get(f"/checkout/complete/{order.number}/").content.decode()
    assert "A confirmation email is on its way to ada@example.com." in content


@pytest.mark.localstripe
def test_a_card_element_payment_method_is_confirmed_on_the_server(
    localstripe, lamp, standard, django_capture_on_commit_callbacks
):
    client, _checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    order = Order.objects.get()

    refused = client.post("/checkout/payment/confirm/", {"order": order.number, "payment_method": "tok_x"})
    assert refused.status_code == 400
    stale = client.post("/checkout/payment/confirm/", {"order": "OTHER", "payment_method": "pm_x"})
    assert stale.status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/checkout/payment/confirm/",
            {"order": order.number, "payment_method": _card_token(localstripe, "4242424242424242")},
        ).json()
    assert answer == {
        "status": "captured",
        "error": "",
        "requires_action": False,
        "return_url": f"http://testserver/checkout/payment/return/?order={order.number}",
    }
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.localstripe
def test_a_card_element_payment_that_stripe_declines_says_why(localstripe, lamp, standard):
    client, _checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    order = Order.objects.get()

    answer = client.post(
        "/checkout/payment/confirm/",
        {"order": order.number, "payment_method": _card_token(localstripe, "4000000000000341")},
    ).json()

    assert (answer["status"], answer["error"], answer["requires_action"]) == (
        "failed",
        "Your card was declined.",
        False,
    )
    order.refresh_from_db()
    assert order.status in UNPAID


@pytest.mark.localstripe
def test_a_card_element_payment_that_needs_3d_secure_says_so(localstripe, lamp, standard):
    client, _checkout = guest_ready(lamp, standard)
    client.get("/checkout/payment/")
    order = Order.objects.get()

    answer = client.post(
        "/checkout/payment/confirm/",
        {"order": order.number, "payment_method": _card_token(localstripe, "4000002500003155")},
    ).json()

    assert (answer["status"], answer["requires_action"]) == ("requires_action", True)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_a_guest_who_signs_up_with_the_orders_email_finds_the_order_in_the_account(
    lamp, standard, django_capture_on_commit_callbacks
):
    client, _checkout = guest_ready(lamp, standard)
    with django_capture_on_commit_callbacks(execute=True):
        response = pay_with(client, "4242424242424242")
    order = Order.objects.get()
    assert (
        'href="/accounts/signup/?email=ada%40example.com"'
        in client.get(response["Location"]).content.decode()
    )

    user = UserFactory.create(email="ada@example.com")  # signed up and confirmed the address
    account = signed_in(user)

    order.refresh_from_db()
    assert order.user == user
    assert account.get(f"/orders/{order.number}/").status_code == 200


def test_a_signed_in_customer_cannot_post_a_contact_email(lamp):
    user = UserFactory.create()
    cart_of((lamp, 1), user=user)

    response = signed_in(user).post("/checkout/", {"email": "someone@example.com"})

    assert response["Location"] == "/checkout/address/"
    assert Checkout.objects.get().email == ""


def test_an_order_with_nothing_to_pay_is_confirmed_without_a_gateway(
    lamp, django_capture_on_commit_callbacks
):
    free_shipping = germany(price=Decimal("0.00"))
    promo_code_save(code=PromoCode(name="All", code="ALL", kind=OfferKind.PERCENT, value=Decimal(100)))
    cart = cart_of((lamp, 1), codes=("ALL",))
    client = browser(cart)
    checkout_ready(cart, free_shipping)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/checkout/payment/")

    order = Order.objects.get()
    assert (order.total, order.status) == (Decimal("0.00"), Order.Status.PAID)
    assert response["Location"] == f"/checkout/complete/{order.number}/"
    assert not Payment.objects.exists()
    assert len(mail.outbox) == 1
