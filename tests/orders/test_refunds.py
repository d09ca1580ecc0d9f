"""Refunds of an order by amount or lines, restocking through the ledger,
never beyond what was captured, once per key, and nothing changed when the
gateway refuses: with the test gateway, localstripe, and real concurrent
clicks on PostgreSQL."""

from decimal import Decimal

import pytest

from catalog.models import StockMovement
from orders.checkout.placement import order_place
from orders.lifecycle.payment import order_mark_paid
from orders.lifecycle.refunds import lines_refund_amount, order_refund
from orders.lifecycle.transitions import OrderStateError
from orders.models import Order, OrderEvent
from payments.errors import GatewayError
from payments.gateways.testmode import TestGateway
from payments.models import Payment, Refund
from payments.selectors import payment_get_for_order
from payments.services import payment_sync
from tests.concurrency import run_in_threads
from tests.orders.factories import (
    assert_ledger_balances,
    cart_of,
    checkout_ready,
    germany,
    start,
    stocked_variants,
)
from tests.orders.staff_helpers import line_ids, paid_order
from tests.payments.helpers import browser_pays

pytestmark = pytest.mark.django_db


def _payment(order: Order) -> Payment:
    payment = payment_get_for_order(order_reference=order.number)
    assert payment is not None
    return payment


def test_a_partial_amount_then_the_rest_refunds_the_payment_in_full():
    order, _variants = paid_order(2)  # 20.00 + 4.90 shipping

    order_refund(order_id=order.pk, by=None, amount=Decimal("5.00"), key="a")
    order_refund(order_id=order.pk, by=None, amount=Decimal("19.90"), key="b")

    payment = _payment(order)
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("24.90"))
    notes = list(
        OrderEvent.objects.filter(order=order, note__startswith="Refunded").values_list("note", flat=True)
    )
    assert len(notes) == 2


def test_a_refund_beyond_what_is_left_is_refused_with_the_limit_and_changes_nothing():
    order, _variants = paid_order(2)
    order_refund(order_id=order.pk, by=None, amount=Decimal("20.00"), key="a")

    with pytest.raises(
        OrderStateError, match=r"The refund was refused: At most EUR 4\.90 can still be refunded"
    ):
        order_refund(order_id=order.pk, by=None, amount=Decimal("5.00"), key="b")

    assert _payment(order).refunded_amount == Decimal("20.00")
    assert Refund.objects.count() == 1


def test_the_same_key_twice_refunds_once():
    order, _variants = paid_order(1)

    first = order_refund(order_id=order.pk, by=None, amount=Decimal("3.00"), key="click")
    second = order_refund(order_id=order.pk, by=None, amount=Decimal("3.00"), key="click")

    assert first.pk == second.pk
    assert _payment(order).refunded_amount == Decimal("3.00")
    assert OrderEvent.objects.filter(order=order, note__startswith="Refunded").count() == 1


def test_refunding_lines_pays_back_their_share_and_restocks_through_the_ledger():
    order, (lamp, vase) = paid_order(3, 1, price=Decimal("3.33"))
    first, second = line_ids(order)

    refund = order_refund(order_id=order.pk, by=None, lines={first: 2, second: 0}, restock=True, key="lines")

    assert refund.amount == Decimal("6.66")
    movement = StockMovement.objects.get(variant=lamp, reason=StockMovement.Reason.RETURN)
    assert (movement.on_hand_change, movement.reference) == (2, order.number)
    assert not StockMovement.objects.filter(variant=vase, reason=StockMovement.Reason.RETURN).exists()
    assert_ledger_balances(lamp)


def test_the_share_of_a_line_is_rounded_once_per_line():
    order, _variants = paid_order(3, price=Decimal("3.35"))  # total 10.05
    (line,) = line_ids(order)

    assert lines_refund_amount(order=order, lines={line: 1}) == Decimal("3.35")
    assert lines_refund_amount(order=order, lines={line: 3}) == Decimal("10.05")


def test_bad_requests_are_clear_errors():
    order, _variants = paid_order(1)
    (line,) = line_ids(order)

    with pytest.raises(OrderStateError, match="either an amount or chosen lines"):
        order_refund(order_id=order.pk, by=None, key="k1")
    with pytest.raises(OrderStateError, match="Only refunded lines can be restocked"):
        order_refund(order_id=order.pk, by=None, amount=Decimal(1), restock=True, key="k2")
    with pytest.raises(OrderStateError, match="choose between 0 and 1 units"):
        order_refund(order_id=order.pk, by=None, lines={line: 2}, key="k3")
    with pytest.raises(OrderStateError, match="at least one unit"):
        order_refund(order_id=order.pk, by=None, lines={line: 0}, key="k4")
    assert not Refund.objects.exists()


def test_an_unpaid_order_cannot_be_refunded():
    (variant,) = stocked_variants(2)
    order = order_place(checkout=checkout_ready(cart_of((variant, 1)), germany()), user=None)

    with pytest.raises(OrderStateError, match="was not paid"):
        order_refund(order_id=order.pk, by=None, amount=Decimal(1), key="k")


def test_a_refund_the_gateway_refuses_says_why_and_changes_nothing(monkeypatch):
    order, (variant,) = paid_order(2)
    (line,) = line_ids(order)

    def refuse(self, **kwargs):
        raise GatewayError("The card issuer is unavailable.", code="issuer_unavailable")

    monkeypatch.setattr(TestGateway, "refund_create", refuse)

    with pytest.raises(OrderStateError, match="The refund was refused: The card issuer is unavailable"):
        order_refund(order_id=order.pk, by=None, lines={line: 1}, restock=True, key="k")

    assert _payment(order).refunded_amount == Decimal("0.00")
    assert not Refund.objects.exists()
    assert not StockMovement.objects.filter(variant=variant, reason=StockMovement.Reason.RETURN).exists()
    assert not OrderEvent.objects.filter(order=order, note__startswith="Refunded").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_with_one_key_refund_once():
    order, (variant,) = paid_order(2)
    (line,) = line_ids(order)

    def click(_n: int) -> str:
        refund = order_refund(order_id=order.pk, by=None, lines={line: 2}, restock=True, key="double")
        return f"refund {refund.pk}"

    outcomes = run_in_threads(4, click)

    assert len(outcomes) == 1
    assert sum(outcomes.values()) == 4
    assert Refund.objects.count() == 1
    assert _payment(order).refunded_amount == Decimal("20.00")
    assert StockMovement.objects.filter(variant=variant, reason=StockMovement.Reason.RETURN).count() == 1
    assert_ledger_balances(variant)


def _stripe_paid_order(base: str) -> Order:
    (variant,) = stocked_variants(5, title="Stripe lamp")
    order = order_place(checkout=checkout_ready(cart_of((variant, 2)), germany()), user=None)
    payment = start(order)
    browser_pays(base, payment, "4242424242424242")
    order_mark_paid(number=order.number, payment=payment_sync(payment=payment))
    order.refresh_from_db()
    return order


@pytest.mark.localstripe
def test_refunds_through_stripe_partial_full_and_over_the_limit(localstripe):
    order = _stripe_paid_order(localstripe)
    (line,) = line_ids(order)

    partial = order_refund(order_id=order.pk, by=None, lines={line: 1}, key="s1")
    rest = order_refund(order_id=order.pk, by=None, amount=Decimal("14.90"), key="s2")
    with pytest.raises(OrderStateError, match=r"At most EUR 0\.00"):
        order_refund(order_id=order.pk, by=None, amount=Decimal("0.01"), key="s3")

    assert partial.gateway_reference.startswith("re_")
    assert (partial.amount, rest.amount) == (Decimal("10.00"), Decimal("14.90"))
    payment = _payment(order)
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("24.90"))


@pytest.mark.localstripe
def test_a_refund_stripe_refuses_changes_nothing(localstripe):
    order = _stripe_paid_order(localstripe)
    # Our records out of step with Stripe's: Stripe knows no such intent.
    Payment.objects.filter(order_reference=order.number).update(gateway_reference="pi_unknown")

    with pytest.raises(OrderStateError, match="The refund was refused"):
        order_refund(order_id=order.pk, by=None, amount=Decimal("5.00"), key="s")

    assert _payment(order).refunded_amount == Decimal("0.00")
    assert not Refund.objects.exists()
