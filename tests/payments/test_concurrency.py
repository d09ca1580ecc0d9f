"""Payments under real concurrent transactions on PostgreSQL: threads, each
with its own connection, released together by a barrier. A webhook event
takes effect once however many deliveries race; a double click starts one
payment and refunds once; refunds never exceed what was captured."""

import json
import random
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client

from payments.errors import PaymentError
from payments.models import Payment, Refund, WebhookEvent
from payments.services import payment_refund, payment_start
from tests.concurrency import run_in_threads
from tests.payments.helpers import (
    captured,
    intent_event,
    intents_for_order,
    orders_hear,
    pay_order,
    signed_post,
    start,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Status = Payment.Status


@pytest.fixture
def heard(monkeypatch):
    calls: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()

    def record(payment: Payment) -> None:
        with lock:
            calls[(payment.order_reference, payment.status)] += 1

    orders_hear(monkeypatch, record)
    return calls


def test_one_event_delivered_five_times_among_others_takes_effect_once(heard):
    target, other, third = start(), start(), start()
    now = int(time.time())
    succeeded = intent_event("payment_intent.succeeded", target, status="succeeded", created=now)
    deliveries = [succeeded] * 5
    deliveries += [intent_event("payment_intent.succeeded", other, status="succeeded", created=now)] * 3
    deliveries += [
        intent_event(
            "payment_intent.payment_failed", third, status="requires_payment_method", error="No.", created=now
        ),
        intent_event("payment_intent.processing", target, status="processing", created=now - 3),
        intent_event("payment_intent.requires_action", third, status="requires_action", created=now - 3),
    ]
    random.Random(7).shuffle(deliveries)
    bodies = [json.dumps(event).encode() for event in deliveries]

    outcomes = run_in_threads(len(bodies), lambda n: str(signed_post(Client(), bodies[n]).status_code))

    assert outcomes == Counter({"200": len(bodies)})
    assert WebhookEvent.objects.count() == 5  # distinct events
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert WebhookEvent.objects.filter(event_id=succeeded["id"]).count() == 1
    statuses = {p.order_reference: p.status for p in Payment.objects.all()}
    assert statuses == {
        target.order_reference: Status.CAPTURED,
        other.order_reference: Status.CAPTURED,
        third.order_reference: Status.FAILED,
    }
    assert heard[(target.order_reference, Status.CAPTURED)] == 1
    assert heard[(other.order_reference, Status.CAPTURED)] == 1


def test_a_double_click_on_pay_starts_one_payment():
    def click(n: int) -> str:
        payment = payment_start(order_reference="ORD-DBL", amount=Decimal("9.99"), currency="EUR", email="")
        return payment.gateway_reference

    outcomes = run_in_threads(5, click)

    (payment,) = Payment.objects.all()
    assert outcomes == Counter({payment.gateway_reference: 5})


@pytest.mark.localstripe
def test_a_double_click_creates_one_payment_intent_at_stripe(localstripe):
    outcomes = run_in_threads(
        4,
        lambda n: (
            payment_start(
                order_reference="ORD-DBL-STRIPE", amount=Decimal("9.99"), currency="EUR", email=""
            ).gateway_reference
        ),
    )

    (payment,) = Payment.objects.all()
    assert outcomes == Counter({payment.gateway_reference: 4})
    assert [intent["id"] for intent in intents_for_order(localstripe, "ORD-DBL-STRIPE")] == [
        payment.gateway_reference
    ]


def test_a_double_click_on_the_card_form_charges_once(heard):
    payment = start()

    outcomes = run_in_threads(4, lambda n: pay_order(payment).status)

    assert outcomes == Counter({Status.CAPTURED: 4})
    assert heard[(payment.order_reference, Status.CAPTURED)] == 1


def test_a_double_click_on_refund_refunds_once():
    payment = captured(amount="100.00")

    outcomes = run_in_threads(
        5, lambda n: str(payment_refund(payment=payment, amount=Decimal("40.00"), key="double").pk)
    )

    (refund,) = Refund.objects.all()
    assert outcomes == Counter({str(refund.pk): 5})
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.PARTIALLY_REFUNDED, Decimal("40.00"))


def test_concurrent_refunds_never_exceed_the_captured_total():
    payment = captured(amount="100.00")

    def refund(n: int) -> str:
        payment_refund(payment=payment, amount=Decimal("30.00"), key=f"r{n}")
        return "refunded"

    outcomes = run_in_threads(6, refund)

    assert outcomes == Counter({"refunded": 3, PaymentError.__name__: 3})
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("90.00") <= payment.captured_amount
    assert Refund.objects.count() == 3
