"""Reservations that expire: the periodic task cancels an unpaid order whose
reservation ran out, gives its stock and codes back and cancels its payment
attempt; a payment the gateway confirmed late is honoured instead, and money
that arrives for an order already cancelled is given back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import stock
from catalog.models import StockMovement
from orders.checkout.placement import order_place
from orders.lifecycle import payment as order_payment
from orders.lifecycle.payment import order_mark_paid
from orders.models import Order, OrderEvent
from orders.tasks import orders_unpaid_expire as orders_unpaid_expire_task
from payments.models import Payment, Refund
from payments.services import payment_test_card_submit
from promotions.models import PromoCode, Redemption
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


@pytest.fixture
def method():
    return germany()


def _placed(method, *lines, codes=(), email="ada@example.com") -> Order:
    return order_place(checkout=checkout_ready(cart_of(*lines, codes=codes), method, email=email), user=None)


def _expire(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(reservation_expires_at=timezone.now() - timedelta(seconds=1))


def test_an_unpaid_order_whose_reservation_expired_is_cancelled_and_gives_everything_back(
    method, django_capture_on_commit_callbacks
):
    (lamp,) = stocked_variants(5)
    PromoCodeFactory.create(code="TEN", usage_limit=1)
    order = _placed(method, (lamp, 2), codes=("TEN",))
    attempt = start(order)
    _expire(order)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = orders_unpaid_expire_task.delay().get()

    assert cancelled == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancelled_at is not None
    assert order.reservation_expires_at is None
    event = OrderEvent.objects.filter(order=order).latest("pk")
    assert (event.from_status, event.to_status, event.note) == (
        "pending_payment",
        "cancelled",
        "The reservation expired before payment.",
    )
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (5, 0)
    released = StockMovement.objects.get(reason=Reason.RESERVATION_RELEASED)
    assert (released.reserved_change, released.reference) == (-2, order.number)
    assert_ledger_balances(lamp)
    assert not Redemption.objects.exists()
    assert PromoCode.objects.get(code="TEN").times_used == 0
    attempt.refresh_from_db()
    assert attempt.status == Payment.Status.CANCELLED


def test_orders_still_within_their_reservation_or_paid_are_left_alone(
    method, django_capture_on_commit_callbacks
):
    lamp, vase = stocked_variants(5, 5)
    waiting = _placed(method, (lamp, 1))
    paid = _placed(method, (vase, 1), email="bob@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        pay(paid)

    assert order_payment.orders_unpaid_expire(now=timezone.now() + timedelta(minutes=14)) == 0

    assert Order.objects.get(pk=waiting.pk).status == Order.Status.PENDING_PAYMENT
    assert Order.objects.get(pk=paid.pk).status == Order.Status.PAID
    assert order_payment.orders_unpaid_expire(now=timezone.now() + timedelta(minutes=16)) == 1
    assert Order.objects.get(pk=waiting.pk).status == Order.Status.CANCELLED
    assert Order.objects.get(pk=paid.pk).status == Order.Status.PAID


def test_a_payment_the_gateway_confirmed_late_is_honoured_not_cancelled(
    method, django_capture_on_commit_callbacks, mailoutbox
):
    (lamp,) = stocked_variants(5)
    order = _placed(method, (lamp, 2))
    # Captured, but the order was never told (a payment recorded before the
    # order reacted in the same transaction, or its reaction lost).
    payment = payment_test_card_submit(
        payment=start(order), number="4242424242424242", exp_month=12, exp_year=2040, cvc="123"
    )
    assert payment.status == Payment.Status.CAPTURED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    _expire(order)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = order_payment.orders_unpaid_expire()

    assert cancelled == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (3, 0)
    assert StockMovement.objects.filter(reason=Reason.SALE).count() == 1
    assert not StockMovement.objects.filter(reason=Reason.RESERVATION_RELEASED).exists()
    assert len(mailoutbox) == 1


def test_one_order_that_cannot_be_expired_does_not_stop_the_others(method, monkeypatch):
    lamp, vase = stocked_variants(5, 5)
    first = _placed(method, (lamp, 1))
    second = _placed(method, (vase, 1), email="bob@example.com")
    _expire(first)
    _expire(second)
    release = stock.stock_release
    calls = []

    def release_failing_once(**kwargs):
        calls.append(kwargs["reference"])
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return release(**kwargs)

    monkeypatch.setattr("orders.lifecycle.cancellation.stock_release", release_failing_once)

    assert order_payment.orders_unpaid_expire() == 1

    statuses = dict(Order.objects.values_list("number", "status"))
    assert sorted(statuses.values()) == ["cancelled", "pending_payment"]
    assert statuses[calls[0]] == "pending_payment"  # tried again on the next run
    assert order_payment.orders_unpaid_expire() == 1
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}


def test_money_arriving_for_a_cancelled_order_is_refunded_once_with_an_event(
    method, django_capture_on_commit_callbacks
):
    (lamp,) = stocked_variants(5)
    order = _placed(method, (lamp, 1))
    attempt = start(order)
    _expire(order)
    order_payment.orders_unpaid_expire()  # its after-commit cancel of the attempt never ran
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED

    with django_capture_on_commit_callbacks(execute=True):
        paid = pay(order)  # the shopper's card went through after all
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # told again, by a webhook and a sync
            order_mark_paid(number=order.number, payment=paid)

    assert paid.pk == attempt.pk
    paid.refresh_from_db()
    assert paid.status == Payment.Status.REFUNDED
    assert (paid.captured_amount, paid.refunded_amount) == (order.total, order.total)
    assert Refund.objects.get().amount == order.total
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert list(OrderEvent.objects.filter(order=order, to_status="").values_list("note", flat=True)) == [
        "A payment arrived after the order was cancelled. It was refunded."
    ]
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (5, 0)  # nothing was sold


def test_an_authorisation_arriving_for_a_cancelled_order_is_voided(
    method, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENT_CAPTURE = "manual"
    (lamp,) = stocked_variants(5)
    order = _placed(method, (lamp, 1))
    start(order)
    _expire(order)
    order_payment.orders_unpaid_expire()

    with django_capture_on_commit_callbacks(execute=True):
        authorised = pay(order)

    authorised.refresh_from_db()
    assert authorised.status == Payment.Status.CANCELLED
    assert authorised.captured_amount == Decimal("0.00")
    assert not Refund.objects.exists()
    assert OrderEvent.objects.filter(order=order).latest("pk").note == (
        "A payment arrived after the order was cancelled. It was voided."
    )
