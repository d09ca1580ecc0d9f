"""An order's life after payment, between a member of staff in the Django
admin and the customer in the shop, in two browsers side by side: staff ship
the order with a tracking number and link, the customer sees the tracking;
staff mark it delivered, the customer asks for a return of one item; staff
approve, receive and refund it, and the customer sees "Refunded" on the
order page and an email for each step. In real Chromium at a desktop and a
phone viewport, with screenshots of both sides. (The customer's own
cancellation is test_order_cancel_journey.)"""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from orders.models import Order, Return
from payments.models import Payment
from tests.browser.conftest import Tab, open_tab
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER = "grace@example.com"
STAFF = "boss@example.com"
TRACKING = "JD014600003828"
TRACKING_URL = f"https://tracking.example.com/{TRACKING}"


@pytest.fixture
def staff(browser: Browser, tab: Tab, settings) -> Iterator[Tab]:
    """A second browser, at the customer's viewport, for a superuser in the
    admin (the staff MFA rule is off here; it has its own tests)."""
    settings.ADMIN_REQUIRE_MFA = False
    UserFactory.create(email=STAFF, is_staff=True, is_superuser=True)
    with open_tab(browser, tab.viewport) as staff:
        yield staff


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _admin_action(staff: Tab, link: str, button: str, *, done: str) -> None:
    """On an admin change page: follow an action's link, submit its page."""
    page = staff.page
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.locator("#content h1, #content-main h1, h1").first).to_contain_text(link)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(done)


def test_staff_ship_and_refund_a_return_the_customer_follows_it(live_server, tab: Tab, staff: Tab) -> None:
    user = UserFactory.create(email=CUSTOMER)
    order = paid_order(user=user, email=CUSTOMER)
    first, second = order.lines.order_by("pk")
    mail.outbox.clear()
    shop, admin = tab.page, staff.page

    # Staff find the order in the admin and ship it with a tracking number and link.
    _sign_in(admin, f"{live_server.url}/admin/", STAFF)
    expect(admin.get_by_role("link", name="Orders", exact=True).first).to_be_visible()
    admin.goto(f"{live_server.url}/admin/orders/order/")
    admin.get_by_role("textbox").first.fill(order.number)
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=order.number).click()
    expect(admin.locator("#content h2").first).to_contain_text(order.number)
    staff.screenshot("staff-01-order")
    admin.get_by_role("link", name="Mark shipped", exact=True).click()
    admin.get_by_label("Tracking number").fill(TRACKING)
    admin.get_by_label("Tracking link").fill(TRACKING_URL)
    staff.screenshot("staff-02-ship")
    admin.get_by_role("button", name="Mark shipped").click()
    expect(admin.locator(".messagelist")).to_contain_text("recorded")
    expect(admin.locator(".field-status")).to_contain_text("Shipped")

    # The customer sees the order shipped, with the tracking number as a link.
    _sign_in(shop, f"{live_server.url}/accounts/login/", CUSTOMER)
    expect(shop.get_by_role("status")).to_contain_text("Successfully signed in")
    shop.goto(f"{live_server.url}/orders/{order.number}/")
    expect(shop.locator("[data-order-status]")).to_have_text("Shipped")
    expect(shop.get_by_role("link", name=TRACKING)).to_have_attribute("href", TRACKING_URL)
    expect(shop.get_by_role("link", name="Cancel order")).to_have_count(0)
    expect(shop.get_by_role("link", name="Request a return")).to_be_visible()  # instead of cancelling
    tab.screenshot("orders-10-shipped")

    # It arrives; the customer returns one of the two items.
    _admin_action(staff, "Mark delivered", "Mark delivered", done="Marked delivered.")
    shop.reload()
    expect(shop.locator("[data-order-status]")).to_have_text("Delivered")
    shop.get_by_role("link", name="Request a return").click()
    shop.get_by_label(f"{first.product_title} ({first.sku})").fill("1")
    shop.get_by_label("Why are you returning these items?").fill("It is smaller than the photos.")
    tab.screenshot("orders-11-return-form")
    shop.get_by_role("button", name="Ask for a return").click()
    expect(shop.get_by_role("status")).to_contain_text(f"Return {order.number}-R1 requested.")
    expect(shop.locator(".order-return-status")).to_have_text("Requested")
    tab.screenshot("orders-12-return-requested")

    # Staff approve it, receive the parcel back into stock, and refund it.
    (ret,) = Return.objects.filter(order=order)
    admin.goto(f"{live_server.url}/admin/orders/return/")
    admin.get_by_role("link", name=ret.number).click()
    staff.screenshot("staff-03-return")
    _admin_action(staff, "Approve", "Approve", done="Approve done.")
    _admin_action(staff, "Receive and put back in stock", "Receive and put back in stock", done="done.")
    _admin_action(staff, "Refund", "Refund", done="Refund done.")
    expect(admin.locator(".field-status")).to_contain_text("Refunded")
    staff.screenshot("staff-04-return-refunded")

    # The customer sees the return refunded and the money on the payment.
    shop.reload()
    expect(shop.locator(".order-return-status")).to_have_text("Refunded")
    expect(shop.locator("[data-payment-status]")).to_be_visible()
    expect(shop.get_by_text("Refunded: EUR 20.00")).to_be_visible()
    tab.screenshot("orders-13-return-refunded")

    assert Payment.objects.get(order_reference=order.number).refunded_amount == Decimal("20.00")
    assert Order.objects.get(pk=order.pk).lines.get(pk=second.pk).quantity_returned == 0
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        f"[Shop] Order {order.number} shipped",
        f"[Shop] Order {order.number} delivered",
        f"[Shop] Return for order {order.number} received",
        f"[Shop] Return for order {order.number} approved",
        f"[Shop] Return for order {order.number} refunded",
    ]
    assert TRACKING_URL in mail.outbox[0].body
    assert all(message.to == [CUSTOMER] for message in mail.outbox)
    assert tab.problems == []
    assert staff.problems == []
