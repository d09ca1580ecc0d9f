"""The whole purchase in real Chromium, at a desktop and a phone viewport:
search, open the product, add it, apply a code, check out (a wrong postcode
first), choose a shipping method, pay with the test gateway (a declined card
first, then a good one) and see the confirmation page and the email; as a
guest and as a signed-in customer. Then once more through the ``stripe``
gateway against localstripe and its fake Stripe.js (its card Element, 3-D
Secure in its own dialog). Screenshots of every step."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from catalog.models import Variant
from catalog.search import search_vector_refresh
from orders.models import Order
from promotions.models import PromoCode
from promotions.services import promo_code_save
from promotions.values import OfferKind
from shipping.models import ShippingMethod
from tests.browser.conftest import Tab
from tests.catalog.factories import ProductFactory
from tests.factories import DEFAULT_PASSWORD, AddressFactory, UserFactory
from tests.orders.factories import germany

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUEST = "guest@example.com"
CUSTOMER = "grace@example.com"


@pytest.fixture
def shop() -> Variant:
    """A brass reading lamp at 40.00 (ten in stock), shipping to Germany
    (Standard 4.90, Express 9.90) with 19 % VAT included, and the code
    SAVE10 for 10 % off."""
    product = ProductFactory.create(title="Brass Reading Lamp", variants=1, variants__price=Decimal("40.00"))
    search_vector_refresh(product_ids=[product.pk])
    standard = germany()
    ShippingMethod.objects.create(
        zone=standard.zone, name="Express", price=Decimal("9.90"), delivery_estimate="1 business day"
    )
    promo_code_save(
        code=PromoCode(name="Ten percent", code="SAVE10", kind=OfferKind.PERCENT, value=Decimal(10))
    )
    return product.variants.get()


def _fits_the_width(tab: Tab) -> None:
    overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{tab.viewport}: {tab.page.url} is {overflow}px wider than the viewport"


def _step(tab: Tab, name: str) -> None:
    tab.screenshot(name)
    _fits_the_width(tab)


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _shop_and_go_to_checkout(page: Page, tab: Tab, base: str, who: str) -> None:
    """Search, open the lamp, add it, apply SAVE10, press Checkout."""
    page.goto(base)
    search = page.get_by_role("combobox", name="Search products")
    search.fill("reading lamp")
    search.press("Enter")
    _heading(page, "Results for “reading lamp”")
    _step(tab, f"checkout-{who}-01-search")

    page.get_by_role("link", name=re.compile("Brass Reading Lamp")).first.click()
    _heading(page, "Brass Reading Lamp")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added Brass Reading Lamp to your cart.")).to_be_visible()
    _step(tab, f"checkout-{who}-02-product")

    page.get_by_role("link", name="View your cart").click()
    _heading(page, "Your cart")
    page.get_by_label("Enter a promo code").fill("SAVE10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("The code SAVE10 was applied.")).to_be_visible()
    expect(page.locator("[data-cart-total]")).to_have_text("EUR 36.00")
    _step(tab, f"checkout-{who}-03-cart")
    page.get_by_role("link", name="Checkout", exact=True).click()


def _enter_address(page: Page, tab: Tab, who: str) -> None:
    """A wrong German postcode first: the field says what is wrong; then the right one."""
    shipping = page.get_by_role("group", name=re.compile("shipping address", re.IGNORECASE))
    expect(shipping.get_by_label("Country")).to_have_value("DE")
    shipping.get_by_label("Full name").fill("Ada Lovelace")
    shipping.get_by_label("Street address", exact=True).fill("Unter den Linden 1")
    shipping.get_by_label("Postal code").fill("1234")
    shipping.get_by_label("City").fill("Berlin")
    expect(page.get_by_role("group", name="Billing address")).to_be_hidden()  # same as shipping
    _step(tab, f"checkout-{who}-05-address")
    page.get_by_role("button", name="Continue to shipping").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Postal code: Enter a valid postal code for Germany, for example 26133.")
    _step(tab, f"checkout-{who}-06-address-error")
    alert.get_by_role("link", name=re.compile("Postal code")).click()
    expect(shipping.get_by_label("Postal code")).to_be_focused()
    shipping.get_by_label("Postal code").fill("10117")
    page.get_by_role("button", name="Continue to shipping").click()


def _choose_express_and_pay(page: Page, tab: Tab, who: str) -> str:
    """Express shipping, then a declined card, then a good one; the order number."""
    expect(page.get_by_role("heading", name="Shipping method", level=2)).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("^Standard"))).to_be_checked()  # the cheapest
    page.get_by_role("radio", name=re.compile("^Express")).check()
    summary = page.get_by_role("complementary", name="Order summary")
    expect(summary).to_contain_text("SAVE10: 10% off")
    _step(tab, f"checkout-{who}-07-shipping")
    page.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_role("heading", name="Review and pay")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("TEST MODE — no real payment")
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"We hold these items for you until \d\d:\d\d\.")
    )
    expect(page.locator("[data-order-total]")).to_have_text("EUR 45.90")  # 36.00 + 9.90
    _step(tab, f"checkout-{who}-08-payment")

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry date").fill("12/40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay EUR 45.90").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Your card was declined. Nothing was charged. Please try another card."
    )
    expect(page.get_by_label("Card number")).to_have_value("")  # never echoed back
    _step(tab, f"checkout-{who}-09-declined")

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12/40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay EUR 45.90").click()
    _heading(page, "Thank you for your order")
    _step(tab, f"checkout-{who}-10-complete")
    number = re.search(r"/checkout/complete/([0-9A-Z-]+)/$", page.url)
    assert number is not None
    return number[1]


def _confirmed(number: str, email: str) -> None:
    order = Order.objects.get(number=number)
    assert (order.status, order.total, order.email) == ("paid", Decimal("45.90"), email)
    (message,) = mail.outbox
    assert message.to == [email]
    assert number in message.subject


def test_a_guest_buys_the_lamp_and_is_invited_to_create_an_account(live_server, tab: Tab, shop) -> None:
    page = tab.page
    _shop_and_go_to_checkout(page, tab, live_server.url, "guest")

    _heading(page, "Checkout")
    expect(page.get_by_role("link", name="Log in", exact=True).last).to_be_visible()
    page.get_by_label("Email address").fill(GUEST)
    _step(tab, "checkout-guest-04-contact")
    page.get_by_role("button", name="Continue to address").click()

    expect(page.get_by_text(f"Contact: {GUEST}")).to_be_visible()
    _enter_address(page, tab, "guest")
    number = _choose_express_and_pay(page, tab, "guest")

    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Your order {number} is paid.")
    expect(status).to_contain_text(f"A confirmation email is on its way to {GUEST}.")
    expect(page.get_by_role("link", name="Create an account")).to_have_attribute(
        "href", "/accounts/signup/?email=guest%40example.com"
    )
    expect(page.get_by_role("banner").get_by_role("link", name="Cart, 0 items")).to_be_visible()
    _confirmed(number, GUEST)

    # The browser that placed it may see it again; the cart is empty now.
    page.goto(f"{live_server.url}/orders/{number}/")
    _heading(page, f"Order {number}")
    expect(page.locator("[data-order-status]")).to_have_text("Paid")
    _step(tab, "checkout-guest-11-order")
    page.goto(f"{live_server.url}/checkout/")
    _heading(page, "Your cart")
    assert tab.problems == []


def test_a_customer_buys_the_lamp_with_a_new_address(live_server, tab: Tab, shop) -> None:
    user = UserFactory.create(email=CUSTOMER, first_name="Grace", last_name="Hopper")
    AddressFactory.create(user=user, label="Home", full_name="Grace Hopper", is_default_shipping=True)
    page = tab.page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(CUSTOMER)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("status")).to_contain_text(f"Successfully signed in as {CUSTOMER}.")

    _shop_and_go_to_checkout(page, tab, live_server.url, "customer")

    # No contact step: the address book, its default chosen.
    expect(page.get_by_role("navigation", name="Checkout steps")).not_to_contain_text("Contact")
    book = page.get_by_role("group", name="Ship to")
    expect(book.get_by_role("radio", name=re.compile("Home"))).to_be_checked()
    expect(page.get_by_role("group", name="New shipping address")).to_be_hidden()
    _step(tab, "checkout-customer-04-address-book")
    book.get_by_role("radio", name="A new address").check()
    expect(page.get_by_role("group", name="New shipping address")).to_be_visible()
    _enter_address(page, tab, "customer")
    number = _choose_express_and_pay(page, tab, "customer")

    expect(page.get_by_role("status")).to_contain_text(f"A confirmation email is on its way to {CUSTOMER}.")
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)
    _confirmed(number, CUSTOMER)
    assert Order.objects.get(number=number).user == user
    assert tab.problems == []


@pytest.mark.localstripe
def test_paying_through_stripe_with_3d_secure(live_server, tab: Tab, shop, localstripe, settings) -> None:
    # The settings module allows Stripe's hosts when PAYMENT_GATEWAY is
    # "stripe" at start-up; here the gateway is switched on at run time.
    csp = dict(settings.SECURE_CSP)
    csp["script-src"] = [*csp["script-src"], localstripe]
    csp["connect-src"] = [*csp["connect-src"], localstripe]
    settings.SECURE_CSP = csp
    page = tab.page
    page.goto(f"{live_server.url}{shop.product.get_absolute_url()}")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="View your cart").click()
    page.get_by_role("link", name="Checkout", exact=True).click()
    page.get_by_label("Email address").fill(GUEST)
    page.get_by_role("button", name="Continue to address").click()
    shipping = page.get_by_role("group", name="Shipping address")
    shipping.get_by_label("Full name").fill("Ada Lovelace")
    shipping.get_by_label("Street address", exact=True).fill("Unter den Linden 1")
    shipping.get_by_label("Postal code").fill("10117")
    shipping.get_by_label("City").fill("Berlin")
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_role("button", name="Continue to payment").click()

    # localstripe's card Element: plain inputs named by their placeholders.
    expect(page.get_by_role("heading", name="Review and pay")).to_be_visible()
    expect(page.get_by_text("TEST MODE")).to_have_count(0)
    card = page.locator("[data-payment-element]")
    card.get_by_placeholder("number").fill("4000002500003155")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("40")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("10117")
    _step(tab, "checkout-stripe-01-card")
    page.get_by_role("button", name="Pay EUR 44.90").click()

    # The bank's 3-D Secure question, as the fake Stripe.js asks it.
    page.get_by_role("button", name="Complete authentication").click()
    _heading(page, "Thank you for your order")
    _step(tab, "checkout-stripe-02-complete")
    number = re.search(r"/checkout/complete/([0-9A-Z-]+)/$", page.url)
    assert number is not None
    order = Order.objects.get(number=number[1])
    assert order.status == Order.Status.PAID
    assert mail.outbox[0].to == [GUEST]
    assert tab.problems == []
