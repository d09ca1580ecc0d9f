"""Helpers of the payments tests: payments made with the test gateway, what
Stripe.js does in a browser (against localstripe), and signed webhook
deliveries."""

import itertools
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.test import Client

from orders.lifecycle import payment as order_payment
from orders.lifecycle import payment as payment_flow
from payments.cards import card_digits
from payments.gateways.base import CardDetails, signature_header
from payments.gateways.testmode import SIGNATURE_HEADER, webhook_secret
from payments.models import Payment
from payments.selectors import payment_client_secret
from payments.services import payment_start, payment_test_card_submit

_numbers = itertools.count(1)


def order_reference() -> str:
    return f"ORD-{next(_numbers):05d}"


def start(*, amount: str = "20.00", reference: str | None = None, email: str = "ann@example.com") -> Payment:
    return payment_start(
        order_reference=reference or order_reference(), amount=Decimal(amount), currency="EUR", email=email
    )


def pay(payment: Payment, number: str = "4242 4242 4242 4242", cvc: str = "123") -> Payment:
    return payment_test_card_submit(payment=payment, number=number, exp_month=12, exp_year=2040, cvc=cvc)


def pay_order(payment: Payment, number: str = "4242 4242 4242 4242", cvc: str = "123") -> Payment:
    """Pay as the checkout does: through the order's payment flow."""
    card = CardDetails(number=card_digits(number), exp_month=12, exp_year=2040, cvc=cvc)
    return payment_flow.order_payment_card_submit(payment=payment, card=card)


def orders_hear(monkeypatch: pytest.MonkeyPatch, record: Callable[[Payment], None]) -> None:
    """What an order hears of its payment (``order_mark_paid`` or
    ``order_payment_failed``, called by ``order_payment_follow``), recorded
    instead of done: these payments have no order."""

    def hear(*, number: str, payment: Payment, **_told: object) -> None:
        record(payment)

    monkeypatch.setattr(order_payment, "order_mark_paid", hear)
    monkeypatch.setattr(order_payment, "order_payment_failed", hear)


def captured(*, amount: str = "100.00") -> Payment:
    payment = pay(start(amount=amount))
    assert payment.status == Payment.Status.CAPTURED
    return payment


# --- Stripe.js, played against localstripe ------------------------------------------
# The card goes from the "browser" to the fake Stripe with plain HTTP, as
# Stripe.js sends it: never through the shop's code.


def browser_pays(base: str, payment: Payment, number: str) -> dict[str, Any]:
    """Attach a new card to the payment's PaymentIntent and confirm it; the
    PaymentIntent as localstripe answers (a decline is a 402 there)."""
    auth = ("sk_test_localstripe", "")
    method = requests.post(
        f"{base}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": number,
            "card[exp_month]": 12,
            "card[exp_year]": 2040,
            "card[cvc]": "123",
        },
        auth=auth,
        timeout=5,
    ).json()
    intent_url = f"{base}/v1/payment_intents/{payment.gateway_reference}"
    requests.post(intent_url, data={"payment_method": method["id"]}, auth=auth, timeout=5).raise_for_status()
    requests.post(f"{intent_url}/confirm", auth=auth, timeout=5)
    result: dict[str, Any] = requests.get(intent_url, auth=auth, timeout=5).json()
    return result


def browser_authenticates(base: str, payment: Payment, *, success: bool) -> None:
    """The 3-D Secure step Stripe.js shows, answered."""
    response = requests.post(
        f"{base}/v1/payment_intents/{payment.gateway_reference}/_authenticate",
        params={"success": "true" if success else "false"},
        json={"key": "pk_test_localstripe", "client_secret": payment_client_secret(payment=payment)},
        timeout=5,
    )
    response.raise_for_status()


def intent_at_stripe(base: str, reference: str) -> dict[str, Any]:
    result: dict[str, Any] = requests.get(
        f"{base}/v1/payment_intents/{reference}", auth=("sk_test_localstripe", ""), timeout=5
    ).json()
    return result


def intents_for_order(base: str, order_reference: str) -> list[dict[str, Any]]:
    listing = requests.get(
        f"{base}/v1/payment_intents", params={"limit": 100}, auth=("sk_test_localstripe", ""), timeout=5
    ).json()
    return [pi for pi in listing["data"] if pi["metadata"].get("order_reference") == order_reference]


# --- Webhooks -----------------------------------------------------------------------

_events = itertools.count(1)


def intent_event(
    event_type: str,
    payment: Payment,
    *,
    status: str,
    created: int | None = None,
    event_id: str | None = None,
    error: str = "",
    amount_received: int | None = None,
) -> dict[str, Any]:
    """A Stripe event carrying the payment's PaymentIntent in this status."""
    amount = int(payment.amount * 100)
    intent: dict[str, Any] = {
        "id": payment.gateway_reference,
        "object": "payment_intent",
        "amount": amount,
        "currency": payment.currency.lower(),
        "status": status,
        "last_payment_error": {"code": "card_declined", "message": error} if error else None,
    }
    if amount_received is not None:
        intent["amount_received"] = amount_received
    return {
        "id": event_id or f"evt_test{next(_events):08d}x",
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "data": {"object": intent},
    }


def signed_post(
    client: Client,
    payload: dict[str, Any] | bytes,
    *,
    gateway: str = "test",
    secret: str | None = None,
    timestamp: int | None = None,
    signed_body: bytes | None = None,
):
    """POST a webhook delivery signed as the gateway does (Stripe's scheme:
    ``t=<time>,v1=HMAC-SHA256(secret, "<time>.<body>")``)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    if secret is None:
        secret = webhook_secret() if gateway == "test" else "whsec_test_secret"
    header = signature_header(body=signed_body or body, secret=secret, timestamp=timestamp)
    name = SIGNATURE_HEADER if gateway == "test" else "Stripe-Signature"
    return client.post(
        f"/payments/webhooks/{gateway}/", data=body, content_type="application/json", headers={name: header}
    )
