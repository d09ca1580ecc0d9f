"""Checkout under real concurrent transactions on PostgreSQL: threads, each
with its own connection, released together by a barrier, each placing and
paying as a shopper would (the order moves in the payment's transaction).
Units and codes are sold at most as often as they exist, a double click or
ten overlapping "Pay" requests make one order and one payment, and a sweep
racing a payment never both sells and releases."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Count
from django.utils import timezone

from catalog.models import Product, StockMovement
from notifications.models import Notification
from notifications.services import notification_send
from orders.checkout.placement import order_place
from orders.checkout.steps import CheckoutError
from orders.lifecycle.payment import order_mark_paid, order_payment_card_submit, orders_unpaid_expire
from orders.models import Order, OrderEvent
from payments.gateways.base import CardDetails
from payments.models import Payment, Refund
from payments.services import payment_test_card_submit
from promotions.models import PromoCode, Redemption
from tests.concurrency import run_in_threads
from tests.orders.factories import (
    assert_ledger_balances,
    cart_of,
    checkout_ready,
    germany,
    pay,
    start,
    stocked_variants,
)
from tests.payments.test_card_data import card_numbers_in_database
from tests.promotions.factories import PromoCodeFactory

TEST_CARD = CardDetails(number="4242424242424242", exp_month=12, exp_year=2040, cvc="123")
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Reason = StockMovement.Reason


def _refusal(error: Exception) -> str:
    """A CheckoutError by what it says; anything else by its class."""
    if isinstance(error, CheckoutError):
        if "sold out meanwhile" in error.message:
            return "told sold out"
        if "reached its usage limit" in error.message:
            return "told code used up"
        return f"CheckoutError: {error.message}"
    return type(error).__name__


def test_fifty_checkouts_for_the_last_five_units_make_exactly_five_paid_orders():
    method = germany()
    (lamp,) = stocked_variants(5, title="Lamp")
    checkouts = [
        checkout_ready(cart_of((lamp, 1)), method, email=f"shopper{n}@example.com") for n in range(50)
    ]

    def checkout_and_pay(n: int) -> str:
        order = order_place(checkout=checkouts[n], user=None)
        pay(order)
        order.refresh_from_db()
        return str(order.status)

    outcomes = run_in_threads(50, checkout_and_pay, outcome_of=_refusal)

    assert outcomes == Counter({"paid": 5, "told sold out": 45})
    paid = set(Order.objects.filter(status=Order.Status.PAID).values_list("number", flat=True))
    assert len(paid) == 5
    assert Order.objects.count() == 5  # the refused kept nothing
    # Nobody told "sold out" reached the gateway.
    assert set(Payment.objects.values_list("order_reference", flat=True)) == paid
    assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.CAPTURED}
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (0, 0)
    assert StockMovement.objects.filter(reason=Reason.RESERVATION).count() == 5
    assert set(StockMovement.objects.filter(reason=Reason.SALE).values_list("reference", flat=True)) == paid
    assert_ledger_balances(lamp)
    product = Product.objects.get(pk=lamp.product_id)
    assert (product.units_sold, product.in_stock) == (5, False)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        Order.objects.values_list("email", flat=True)
    )
    assert card_numbers_in_database() == []


def test_fifty_checkouts_with_a_code_limited_to_ten_uses_make_ten_discounted_orders():
    method = germany()
    (lamp,) = stocked_variants(100, title="Lamp", price=Decimal("20.00"))
    PromoCodeFactory.create(code="TEN", value=Decimal(10), usage_limit=10)
    checkouts = [
        checkout_ready(cart_of((lamp, 1), codes=("TEN",)), method, email=f"shopper{n}@example.com")
        for n in range(50)
    ]

    def checkout_and_pay(n: int) -> str:
        order = order_place(checkout=checkouts[n], user=None)
        pay(order)
        order.refresh_from_db()
        return f"{order.status} with {','.join(order.promo_codes)}"

    outcomes = run_in_threads(50, checkout_and_pay, outcome_of=_refusal)

    assert outcomes == Counter({"paid with TEN": 10, "told code used up": 40})
    orders = Order.objects.all()
    assert orders.count() == 10
    assert {(o.discount_total, o.total) for o in orders} == {(Decimal("2.00"), Decimal("22.90"))}
    assert set(Redemption.objects.values_list("order_reference", flat=True)) == {o.number for o in orders}
    assert PromoCode.objects.get(code="TEN").times_used == 10
    assert Payment.objects.count() == 10
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (90, 0)
    assert_ledger_balances(lamp)


def test_a_double_click_on_pay_makes_one_order_and_one_payment():
    method = germany()
    (lamp,) = stocked_variants(5)
    # A single-use code: the second click must not find it "used" by the first.
    PromoCodeFactory.create(code="ONCE", usage_limit=1, per_customer_limit=1)
    checkout = checkout_ready(cart_of((lamp, 2), codes=("ONCE",)), method)

    placed = run_in_threads(2, lambda n: order_place(checkout=checkout, user=None).number)

    ((number, clicks),) = placed.items()
    assert clicks == 2
    order = Order.objects.get()
    assert (order.number, order.promo_codes) == (number, ["ONCE"])
    assert Redemption.objects.count() == 1
    lamp.refresh_from_db()
    assert lamp.stock_reserved == 2

    started = run_in_threads(2, lambda n: str(start(order).pk))

    assert started == Counter({str(Payment.objects.get().pk): 2})
    payment = Payment.objects.get()

    submitted = run_in_threads(
        2,
        lambda n: order_payment_card_submit(payment=payment, card=TEST_CARD).status,
    )

    assert submitted == Counter({"captured": 2})
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert StockMovement.objects.filter(reason=Reason.SALE).count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    assert len(mail.outbox) == 1


def test_the_gateways_word_told_five_times_at_once_sells_once():
    method = germany()
    lamp, vase = stocked_variants(5, 5)
    order = order_place(checkout=checkout_ready(cart_of((lamp, 2), (vase, 1)), method), user=None)
    # Captured, the order not told: the gateway's word arrives below instead.
    payment = payment_test_card_submit(
        payment=start(order), number="4242424242424242", exp_month=12, exp_year=2040, cvc="123"
    )
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT

    outcomes = run_in_threads(5, lambda n: str(order_mark_paid(number=order.number, payment=payment)))

    assert outcomes == Counter({order.number: 5})
    assert StockMovement.objects.filter(reason=Reason.SALE).count() == 2
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    assert len(mail.outbox) == 1


def test_the_expiry_sweep_racing_late_payments_never_both_sells_and_releases():
    method = germany()
    (lamp,) = stocked_variants(20)
    orders = [
        order_place(checkout=checkout_ready(cart_of((lamp, 1)), method, email=f"s{n}@example.com"), user=None)
        for n in range(10)
    ]
    payments = [start(order) for order in orders]
    Order.objects.update(reservation_expires_at=timezone.now() - timedelta(seconds=1))

    def race(n: int) -> str:
        if n == 10:
            orders_unpaid_expire()
            return "swept"
        # As the payment page does: the order's lock before the payment's.
        order_payment_card_submit(payment=payments[n], card=TEST_CARD)
        return "card taken"

    # A card submitted after the sweep cancelled the attempt is refused (PaymentError).
    outcomes = run_in_threads(11, race)

    assert outcomes["swept"] == 1
    assert outcomes["card taken"] + outcomes["PaymentError"] == 10
    sales = set(StockMovement.objects.filter(reason=Reason.SALE).values_list("reference", flat=True))
    releases = set(
        StockMovement.objects.filter(reason=Reason.RESERVATION_RELEASED).values_list("reference", flat=True)
    )
    assert not sales & releases
    for order in Order.objects.all():
        payment = Payment.objects.get(order_reference=order.number)
        if order.status == Order.Status.PAID:
            assert order.number in sales
            assert payment.status == Payment.Status.CAPTURED
        else:
            assert order.status == Order.Status.CANCELLED
            assert order.number in releases
            # Voided before the card was taken, or refunded after.
            assert payment.status in (Payment.Status.CANCELLED, Payment.Status.REFUNDED)
    assert Refund.objects.count() == Payment.objects.filter(status=Payment.Status.REFUNDED).count()
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (20 - len(sales), 0)
    assert_ledger_balances(lamp)
    assert (
        not OrderEvent.objects.values("order", "to_status")
        .annotate(n=Count("pk"))
        .filter(n__gt=1, to_status__in=["paid", "cancelled"])
    )


def test_two_confirmation_tasks_at_once_send_one_email():
    method = germany()
    (lamp,) = stocked_variants(5)
    order = order_place(checkout=checkout_ready(cart_of((lamp, 1)), method), user=None)
    pay(order)
    mail.outbox.clear()
    owed = Notification.objects.get(kind="order.confirmation", key=f"{order.number}:paid")
    Notification.objects.filter(pk=owed.pk).update(sent_at=None)

    outcomes = run_in_threads(4, lambda n: str(notification_send(notification_id=owed.pk)))

    assert outcomes == Counter({"True": 1, "False": 3})
    assert len(mail.outbox) == 1


def test_ten_overlapping_pay_requests_of_one_session_place_one_order_and_charge_once():
    """The outside test saw a second pending order in 3 of 6 runs: a "Pay"
    that read the cart just before the first one's payment emptied it.
    Real requests, each thread its own connection, three rounds."""
    from django.test import Client

    from tests.orders.test_checkout_views import CARD, browser

    method = germany()
    for round_ in range(3):
        (lamp,) = stocked_variants(5, title=f"Lamp {round_}")
        cart = cart_of((lamp, 2))
        checkout_ready(cart, method)
        first = browser(cart)
        number = first.get("/checkout/payment/").context["order"].number
        cookie = first.cookies["sessionid"].value

        def press_pay(n: int, number: str = number, cookie: str = cookie) -> str:
            client = Client()
            client.cookies["sessionid"] = cookie
            response = client.post(
                "/checkout/payment/", {"number": "4242424242424242", **CARD, "order": number}
            )
            return f"{response.status_code} {response.get('Location', '')}"

        outcomes = run_in_threads(10, press_pay)

        assert outcomes == Counter({f"303 /checkout/complete/{number}/": 10}), outcomes
        assert list(Order.objects.filter(lines__sku=lamp.sku).values_list("number", "status")) == [
            (number, Order.Status.PAID)
        ]
        assert Payment.objects.filter(order_reference=number, status=Payment.Status.CAPTURED).count() == 1
        lamp.refresh_from_db()
        assert (lamp.stock_on_hand, lamp.stock_reserved) == (3, 0)
    assert Order.objects.count() == 3
