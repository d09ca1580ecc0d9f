"""Cancelling before shipment: an unpaid order frees its reservation, codes
and payment attempt; a paid one puts its units back through the ledger and
is refunded in full through the gateway, once, with an email. After shipment,
or when the gateway refuses, nothing changes and the message says why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import StockMovement
from orders.checkout.placement import order_place
from orders.lifecycle.cancellation import order_cancel
from orders.lifecycle.payment import order_mark_paid
from orders.lifecycle.transitions import OrderStateError
from orders.models import Order, OrderEvent
from payments.errors import GatewayError
from payments.gateways.testmode import TestGateway
from payments.models import Payment, Refund
from payments.selectors import payment_get_for_order
from payments.services import payment_sync
from promotions.models import Redemption
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from tests.orders.factories import (
    assert_ledger_balances,
    cart_of,
    checkout_ready,
    germany,
    pay,
    start,
    stocked_variants,
)
from tests.promotions.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

Reason = StockMovement.Reason


def _pay(order):
    """Pay with the test gateway and apply the gateway's word (its listener runs on commit)."""
    order_mark_paid(number=order.number, payment=pay(order))


def _placed(user=None, codes=()):
    lamp, vase = stocked_variants(5, 5, title="Lamp", price=Decimal("20.00"))
    checkout = checkout_ready(cart_of((lamp, 2), (vase, 1), user=user, codes=codes), germany(), user=user)
    return order_place(checkout=checkout, user=user), lamp, vase


def test_an_unpaid_order_is_cancelled_its_stock_code_and_payment_attempt_freed(
    django_capture_on_commit_callbacks, mailoutbox
):
    PromoCodeFactory.create(code="TEN", value=Decimal(10))
    order, lamp, vase = _placed(codes=("TEN",))
    payment = start(order)
    assert Redemption.objects.filter(order_reference=order.number).exists()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, by=None)

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancelled_at is not None
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (5, 0)
    assert not Redemption.objects.filter(order_reference=order.number).exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert_ledger_balances(lamp)
    assert_ledger_balances(vase)
    (message,) = mailoutbox
    assert message.subject == f"[Shop] Order {order.number} cancelled"
    assert "Nothing was charged." in message.body


def test_a_paid_order_is_refunded_in_full_restocked_with_ledger_rows_and_emailed(
    django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory.create()
    order, lamp, vase = _placed(user=user)
    _pay(order)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    lamp.refresh_from_db()
    assert lamp.stock_on_hand == 3
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, by=user, note="Changed my mind")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    payment = payment_get_for_order(order_reference=order.number)
    assert payment is not None
    assert payment.status == Payment.Status.REFUNDED
    (refund,) = Refund.objects.all()
    assert refund.amount == payment.captured_amount == order.total
    assert refund.idempotency_key == f"{order.number}:cancel"
    lamp.refresh_from_db()
    vase.refresh_from_db()
    assert (lamp.stock_on_hand, vase.stock_on_hand) == (5, 5)
    returns = StockMovement.objects.filter(reason=Reason.RETURN, reference=order.number)
    assert sorted(returns.values_list("on_hand_change", flat=True)) == [1, 2]
    assert_ledger_balances(lamp)
    assert_ledger_balances(vase)
    event = OrderEvent.objects.filter(order=order).latest("created_at", "pk")
    assert (event.from_status, event.to_status, event.by, event.note) == (
        "paid",
        "cancelled",
        user,
        "Changed my mind",
    )
    (message,) = mailoutbox
    assert message.to == [order.email]
    assert "refunded" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_a_shipped_order_cannot_be_cancelled_and_the_page_says_to_return_it(client):
    user = UserFactory.create()
    order, lamp, _vase = _placed(user=user)
    _pay(order)
    order.lines.filter(variant=lamp).update(quantity_shipped=1)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PARTIALLY_SHIPPED)

    with pytest.raises(OrderStateError, match="request a return"):
        order_cancel(order_id=order.pk, by=user)

    client.force_login(user)
    response = client.post(reverse("orders:cancel", kwargs={"number": order.number}), follow=True)
    assert "request a return" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    assert not Refund.objects.exists()


def test_cancelling_twice_is_refused_the_second_time():
    order, _lamp, _vase = _placed()
    _pay(order)
    order_cancel(order_id=order.pk, by=None)

    with pytest.raises(OrderStateError, match="already cancelled"):
        order_cancel(order_id=order.pk, by=None)
    assert Refund.objects.count() == 1


def test_a_refund_the_gateway_refuses_changes_nothing_and_says_why(monkeypatch, client):
    user = UserFactory.create()
    order, lamp, _vase = _placed(user=user)
    _pay(order)

    def refuse(self, **kwargs):
        raise GatewayError("The bank is closed today.", code="processing_error")

    monkeypatch.setattr(TestGateway, "refund_create", refuse)
    client.force_login(user)
    response = client.post(reverse("orders:cancel", kwargs={"number": order.number}), follow=True)

    assert "The bank is closed today." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    lamp.refresh_from_db()
    assert lamp.stock_on_hand == 3
    assert not StockMovement.objects.filter(reason=Reason.RETURN).exists()
    assert not Refund.objects.exists()
    assert not OrderEvent.objects.filter(order=order, to_status="cancelled").exists()


def test_the_cancel_page_asks_for_confirmation_then_cancels(client):
    user = UserFactory.create()
    order, _lamp, _vase = _placed(user=user)
    _pay(order)
    client.force_login(user)
    url = reverse("orders:cancel", kwargs={"number": order.number})

    page = client.get(url)
    assert page.status_code == 200
    assert "Cancel this order" in page.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    response = client.post(url)
    assert response.status_code == 303
    assert response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cancels_at_once_refund_once_and_write_one_event():
    order, lamp, _vase = _placed()
    _pay(order)

    def cancel(_n: int) -> str:
        order_cancel(order_id=order.pk, by=None)
        return "cancelled"

    outcomes = run_in_threads(2, cancel)

    assert outcomes == {"cancelled": 1, "OrderStateError": 1}
    assert Refund.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="cancelled").count() == 1
    assert StockMovement.objects.filter(reason=Reason.RETURN, reference=order.number).count() == 2
    assert_ledger_balances(lamp)


@pytest.mark.localstripe
def test_a_stripe_paid_order_cancels_with_a_real_refund(localstripe):
    from tests.payments.helpers import browser_pays, intent_at_stripe

    order, _lamp, _vase = _placed()
    payment = start(order)
    assert payment.gateway == "stripe"
    browser_pays(localstripe, payment, "4242424242424242")
    order_mark_paid(number=order.number, payment=payment_sync(payment=payment))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    order_cancel(order_id=order.pk, by=None)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    (refund,) = Refund.objects.all()
    assert refund.gateway_reference.startswith("re_")
    assert refund.amount == order.total
    intent = intent_at_stripe(localstripe, payment.gateway_reference)
    charges = intent.get("charges", {}).get("data", [])
    assert charges
    assert charges[0]["amount_refunded"] == int(order.total * 100)
