"""A customer finds a paid order through the account menu, cancels it after
one confirmation and sees it cancelled and refunded, with the email; a guest
finds an order through /track/. In real Chromium at a desktop and a phone
viewport, with screenshots."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order
from payments.models import Payment
from tests.browser.conftest import Tab
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER = "grace@example.com"


def test_a_customer_cancels_an_unshipped_order(live_server, tab: Tab) -> None:
    user = UserFactory.create(email=CUSTOMER)
    order = paid_order(user=user, email=CUSTOMER)
    mail.outbox.clear()
    page = tab.page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(CUSTOMER)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in")

    page.get_by_text("Account", exact=True).click()
    page.get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your orders")
    tab.screenshot("orders-01-history")
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
    tab.screenshot("orders-02-order")

    page.get_by_role("link", name="Cancel order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cancel order {order.number}?")
    tab.screenshot("orders-03-confirm")
    page.get_by_role("button", name="Cancel this order").click()

    expect(page.get_by_role("status")).to_contain_text("Your order was cancelled and your payment refunded.")
    expect(page.locator("[data-order-status]")).to_have_text("Cancelled")
    expect(page.locator("[data-payment-status]")).to_contain_text("Refunded")
    expect(page.get_by_role("link", name="Cancel order")).to_have_count(0)
    tab.screenshot("orders-04-cancelled")
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert Payment.objects.get(order_reference=order.number).status == Payment.Status.REFUNDED
    assert [m.subject for m in mail.outbox] == [f"[Shop] Order {order.number} cancelled"]
    assert tab.problems == []


def test_a_guest_tracks_an_order_by_number_and_email(live_server, tab: Tab) -> None:
    order = paid_order(email="guest@example.com")
    page = tab.page
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Email address").fill("someone@example.com")
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not find an order")
    tab.screenshot("orders-05-track-wrong")

    page.get_by_label("Email address").fill("guest@example.com")
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
    tab.screenshot("orders-06-tracked")
    assert tab.problems == []
