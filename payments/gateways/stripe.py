"""The Stripe gateway: PaymentIntents confirmed in the browser by Stripe.js and
its Payment Element, so card data goes straight to Stripe, never to us; 3-D
Secure is Stripe.js's business too. We create, read, capture, cancel and
refund PaymentIntents with the secret key, and read webhook events.

PaymentIntents are created with ``allowed_payment_method_types=["card"]``
(``STRIPE_PAYMENT_METHOD_TYPES``; API versions from 2026-09-30 refuse the older
``payment_method_types``): cards settle at once and all support manual
capture, which the reservation of stock until payment relies on. An empty
setting lets Stripe offer what the dashboard enables. ``capture_method`` is ``automatic`` or, with
``PAYMENT_CAPTURE=manual``, ``manual`` (authorise now, capture at shipment).

Settings are read at each call (``STRIPE_SECRET_KEY``, ``STRIPE_API_BASE``,
``STRIPE_WEBHOOK_SECRET``, ``PAYMENT_WEBHOOK_TOLERANCE_SECONDS``), so tests can
point the gateway at a local server.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import stripe
from django.conf import settings
from stripe.params import PaymentIntentCreateParams

from payments.errors import GatewayError
from payments.gateways.base import (
    CardDetails,
    GatewayEvent,
    GatewayPayment,
    GatewayRefund,
    from_minor,
    signed_payload_read,
    to_minor,
)
from payments.models import Payment, Refund

Status = Payment.Status

# PaymentIntent status -> ours. "requires_payment_method" is pending before
# the first attempt and failed after a declined one (the shopper may try
# another card on the same PaymentIntent).
INTENT_STATUSES = {
    "requires_payment_method": Status.PENDING,
    "requires_confirmation": Status.PENDING,
    "processing": Status.PENDING,
    "requires_action": Status.REQUIRES_ACTION,
    "requires_capture": Status.AUTHORIZED,
    "succeeded": Status.CAPTURED,
    "canceled": Status.CANCELLED,
}
REFUND_STATUSES = {
    "succeeded": Refund.Status.SUCCEEDED,
    "pending": Refund.Status.PENDING,
    "requires_action": Refund.Status.PENDING,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.FAILED,
}
UNREACHABLE = "The payment provider could not be reached. Please try again in a moment."


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, timeout: int) -> stripe.StripeClient:
    # Retries are safe: every call that moves money carries an idempotency key.
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def _error(error: stripe.StripeError) -> GatewayError:
    """Stripe's error as ours, with Stripe's own message (a decline reason,
    "Cannot refund a failed payment", ...)."""
    if isinstance(error, stripe.APIConnectionError):
        return GatewayError(UNREACHABLE, code="unreachable")
    return GatewayError(
        error.user_message or "The payment provider refused the request.", code=error.code or ""
    )


def _call[T](request: Callable[[], T]) -> T:
    try:
        return request()
    except stripe.StripeError as error:
        raise _error(error) from None


def _dict(obj: Any) -> dict[str, Any]:
    result: dict[str, Any] = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return result


def intent_read(intent: Mapping[str, Any]) -> GatewayPayment:
    """A PaymentIntent (from the API or a webhook event) as a GatewayPayment."""
    currency = str(intent.get("currency") or "eur")
    stripe_status = str(intent.get("status"))
    status = INTENT_STATUSES.get(stripe_status, Status.PENDING)
    error = intent.get("last_payment_error") or {}
    if stripe_status == "requires_payment_method" and error:
        status = Status.FAILED
    received = intent.get("amount_received")
    if received is None and stripe_status == "succeeded":
        received = intent.get("amount")
    method = intent.get("payment_method")
    card = (method.get("card") or {}) if isinstance(method, Mapping) else {}
    return GatewayPayment(
        reference=str(intent["id"]),
        status=status,
        amount_received=None if received is None else from_minor(int(received), currency),
        failure_message=str(error.get("message") or "") if status == Status.FAILED else "",
        card_brand=str(card.get("brand") or ""),
        card_last4=str(card.get("last4") or ""),
        client_secret=str(intent.get("client_secret") or ""),
    )


def event_read(payload: Mapping[str, Any]) -> GatewayEvent:
    """A Stripe-shaped event: payment_intent.* carry the PaymentIntent,
    charge.refunded the charge with its refunded total."""
    event_type = str(payload["type"])
    created = datetime.fromtimestamp(int(payload["created"]), tz=UTC)
    obj = (payload.get("data") or {}).get("object") or {}
    event_id = str(payload["id"])
    if event_type.startswith("payment_intent.") and obj.get("id"):
        return GatewayEvent(
            event_id, event_type, created, payment_reference=str(obj["id"]), payment=intent_read(obj)
        )
    if event_type == "charge.refunded" and obj.get("payment_intent"):
        intent = obj["payment_intent"]
        reference = str(intent["id"] if isinstance(intent, Mapping) else intent)
        currency = str(obj.get("currency") or "eur")
        # A partial capture shows its released remainder as refunded; only
        # what was refunded of the captured money counts.
        uncaptured = int(obj.get("amount", 0)) - int(obj.get("amount_captured", obj.get("amount", 0)))
        refunded = from_minor(max(int(obj.get("amount_refunded", 0)) - uncaptured, 0), currency)
        return GatewayEvent(
            event_id, event_type, created, payment_reference=reference, refunded_total=refunded
        )
    return GatewayEvent(event_id, event_type, created)


def intent_create_params(
    *, order_reference: str, amount: Decimal, currency: str, capture_manual: bool
) -> PaymentIntentCreateParams:
    """What a new PaymentIntent is created with.

    >>> from django.test import override_settings
    >>> with override_settings(STRIPE_PAYMENT_METHOD_TYPES=["card"]):
    ...     params = intent_create_params(
    ...         order_reference="A1", amount=Decimal("9.50"), currency="EUR", capture_manual=True
    ...     )
    >>> params["amount"], params["currency"], params["capture_method"], params["allowed_payment_method_types"]
    (950, 'eur', 'manual', ['card'])
    """
    params: PaymentIntentCreateParams = {
        "amount": to_minor(amount, currency),
        "currency": currency.lower(),
        "capture_method": "manual" if capture_manual else "automatic",
        "metadata": {"order_reference": order_reference},
    }
    # Without a list, Stripe offers what the dashboard enables (dynamic
    # payment methods); the local fake Stripe knows no such parameter.
    if settings.STRIPE_PAYMENT_METHOD_TYPES:
        params["allowed_payment_method_types"] = list(settings.STRIPE_PAYMENT_METHOD_TYPES)
    return params


class StripeGateway:
    name = "stripe"
    has_remote_state = True
    takes_card_here = False

    @property
    def _stripe(self) -> stripe.StripeClient:
        return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT_SECONDS)

    def payment_create(
        self,
        *,
        order_reference: str,
        amount: Decimal,
        currency: str,
        email: str,
        capture_manual: bool,
        idempotency_key: str,
    ) -> GatewayPayment:
        params = intent_create_params(
            order_reference=order_reference, amount=amount, currency=currency, capture_manual=capture_manual
        )
        intents = self._stripe.v1.payment_intents
        intent = _call(lambda: intents.create(params=params, options={"idempotency_key": idempotency_key}))
        return intent_read(_dict(intent))

    def payment_confirm(
        self,
        *,
        reference: str,
        method: str | CardDetails,
        amount: Decimal,
        capture_manual: bool,
        idempotency_key: str,
    ) -> GatewayPayment:
        if not isinstance(method, str):
            raise TypeError("Stripe confirms with a PaymentMethod id made by Stripe.js, never a card number.")
        intents = self._stripe.v1.payment_intents
        # Attach, then confirm: the same two steps Stripe.js takes.
        _call(
            lambda: intents.update(
                reference,
                params={"payment_method": method},
                options={"idempotency_key": f"{idempotency_key}:method"},
            )
        )
        try:
            intents.confirm(reference, options={"idempotency_key": f"{idempotency_key}:confirm"})
        except stripe.CardError:
            pass  # A decline is an answer: the intent now says why.
        except stripe.StripeError as error:
            raise _error(error) from None
        return self.payment_retrieve(reference=reference)

    def payment_retrieve(self, *, reference: str) -> GatewayPayment:
        intents = self._stripe.v1.payment_intents
        intent = _call(lambda: intents.retrieve(reference, params={"expand": ["payment_method"]}))
        return intent_read(_dict(intent))

    def payment_capture(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayPayment:
        intents = self._stripe.v1.payment_intents
        intent = _call(
            lambda: intents.capture(
                reference,
                params={"amount_to_capture": to_minor(amount, currency)},
                options={"idempotency_key": idempotency_key},
            )
        )
        return intent_read(_dict(intent))

    def payment_cancel(self, *, reference: str, idempotency_key: str) -> GatewayPayment:
        intents = self._stripe.v1.payment_intents
        intent = _call(lambda: intents.cancel(reference, options={"idempotency_key": idempotency_key}))
        return intent_read(_dict(intent))

    def refund_create(
        self, *, reference: str, amount: Decimal, currency: str, reason: str, idempotency_key: str
    ) -> GatewayRefund:
        refunds = self._stripe.v1.refunds
        # Stripe's own "reason" takes three fixed values; ours is free text.
        refund = _dict(
            _call(
                lambda: refunds.create(
                    params={
                        "payment_intent": reference,
                        "amount": to_minor(amount, currency),
                        "metadata": {"reason": reason[:500]},
                    },
                    options={"idempotency_key": idempotency_key},
                )
            )
        )
        status = REFUND_STATUSES.get(str(refund.get("status")), Refund.Status.PENDING)
        if status == Refund.Status.FAILED:
            raise GatewayError(
                str(refund.get("failure_reason") or "The refund failed."), code="refund_failed"
            )
        return GatewayRefund(reference=str(refund["id"]), status=status)

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        return signed_payload_read(
            body=body,
            header=headers.get("Stripe-Signature"),
            secret=settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
        )

    def webhook_parse(self, *, payload: Mapping[str, Any]) -> GatewayEvent:
        return event_read(payload)
