"""What an order tells its customer through the outbox: an email to the
order's address and, for a customer with an account, an in-site notice
linking to the order; a declined payment only when the shopper did not see
it on the page (the gateway's webhook), once per payment."""

import pytest
from django.test import Client

from notifications.models import Notification
from orders.checkout.placement import order_place
from orders.lifecycle.fulfilment import order_ship
from tests.factories import UserFactory
from tests.orders.factories import cart_of, checkout_ready, germany, start, stocked_variants
from tests.orders.staff_helpers import paid_order
from tests.payments.helpers import intent_event, signed_post

pytestmark = pytest.mark.django_db


def test_a_customer_with_an_account_gets_the_email_and_a_notice_linking_to_the_order(
    django_capture_on_commit_callbacks, mailoutbox
):
    ada = UserFactory.create(email="ada@example.com")
    order, _variants = paid_order(1, user=ada)

    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="T1")

    shipped = Notification.objects.get(kind="order.shipped")
    assert (shipped.user, shipped.email) == (ada, "ada@example.com")
    assert shipped.title == f"Your order {order.number} is on its way"
    assert shipped.link == f"/orders/{order.number}/"
    assert shipped.read_at is None
    assert [message.subject for message in mailoutbox] == [f"[Shop] Order {order.number} shipped"]
    confirmation = Notification.objects.get(kind="order.confirmation")
    assert confirmation.title == f"Order {order.number} is paid"


def test_a_decline_from_the_webhook_emails_the_shopper_once(django_capture_on_commit_callbacks, mailoutbox):
    (lamp,) = stocked_variants(5)
    order = order_place(checkout=checkout_ready(cart_of((lamp, 1)), germany()), user=None)
    payment = start(order)
    declined = intent_event(
        "payment_intent.payment_failed",
        payment,
        status="requires_payment_method",
        error="Insufficient funds.",
    )
    again = {**declined, "id": "evt_another_delivery_of_the_news"}

    for event in (declined, declined, again):
        with django_capture_on_commit_callbacks(execute=True):
            assert signed_post(Client(), event).status_code == 200

    assert [message.subject for message in mailoutbox] == [
        f"[Shop] The payment for order {order.number} was declined"
    ]
    (message,) = mailoutbox
    assert "pay with another card from your order page" in message.body
    assert f"/orders/{order.number}/" in message.body
    assert Notification.objects.filter(kind="order.payment_failed").count() == 1
