"""What every gateway offers, and what it answers in.

A gateway turns the services' requests into calls to a payment provider and
its answers into plain values: ``GatewayPayment`` (the provider's view of a
payment, in our statuses), ``GatewayRefund`` and ``GatewayEvent`` (a verified
webhook event). It keeps no state and touches no table; the services decide
what an answer does to a ``Payment``.

Every call that creates or moves money takes an idempotency key that the
services derive from the order, so asking twice (a double click, a retry after
a timeout) has the provider do it once.

>>> to_minor(Decimal("19.99"), "EUR"), to_minor(Decimal("1999"), "jpy")
(1999, 1999)
>>> from_minor(1999, "eur"), from_minor(1999, "JPY")
(Decimal('19.99'), Decimal('1999.00'))
"""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import stripe

from payments.errors import PaymentError, WebhookInvalid
from payments.models import Payment, Refund
from shop.money import money_round

# Currencies Stripe counts in whole units (https://docs.stripe.com/currencies).
ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# Currencies with three decimals, which Stripe handles with extra rules.
THREE_DECIMAL_CURRENCIES = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def _exponent(currency: str) -> int:
    code = currency.upper()
    if code in THREE_DECIMAL_CURRENCIES:
        raise PaymentError(f"Payments in {code} are not supported.")
    return 0 if code in ZERO_DECIMAL_CURRENCIES else 2


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit, as gateways count."""
    exponent = _exponent(currency)
    minor = money_round(amount).scaleb(exponent)
    if minor != minor.to_integral_value():
        raise PaymentError(f"{amount} {currency.upper()} has more decimals than the currency allows.")
    return int(minor)


def from_minor(value: int, currency: str) -> Decimal:
    return money_round(Decimal(value).scaleb(-_exponent(currency)))


@dataclass(frozen=True)
class CardDetails:
    """A card as typed into the test gateway's form. Its repr shows the last
    four digits only, so a traceback or a log line cannot leak the number."""

    number: str = field(repr=False)
    exp_month: int = field(repr=False)
    exp_year: int = field(repr=False)
    cvc: str = field(repr=False)

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def __repr__(self) -> str:
        return f"CardDetails(last4={self.last4!r})"


@dataclass(frozen=True)
class GatewayPayment:
    """The gateway's view of one payment."""

    reference: str
    status: Payment.Status
    # Captured so far; None when the gateway did not say.
    amount_received: Decimal | None = None
    failure_message: str = ""
    card_brand: str = ""
    card_last4: str = ""
    client_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class GatewayRefund:
    reference: str
    status: Refund.Status


@dataclass(frozen=True)
class GatewayEvent:
    """A verified webhook event, read. ``payment_reference`` is empty for an
    event about nothing we track; ``payment`` is the payment as the event saw
    it, ``refunded_total`` the total refunded when the event says so."""

    event_id: str
    type: str
    created: datetime
    payment_reference: str = ""
    payment: GatewayPayment | None = None
    refunded_total: Decimal | None = None


class Gateway(Protocol):
    name: str
    # False for the test gateway: the Payment row is all there is, so there is
    # nothing to ask when the shopper comes back.
    has_remote_state: bool
    # True for the test gateway: the card is typed into our payment page and
    # its extra authentication step is ours too. Stripe takes the card in
    # Stripe.js and authenticates with the bank itself.
    takes_card_here: bool

    def payment_create(
        self,
        *,
        order_reference: str,
        amount: Decimal,
        currency: str,
        email: str,
        capture_manual: bool,
        idempotency_key: str,
    ) -> GatewayPayment: ...

    def payment_confirm(
        self,
        *,
        reference: str,
        method: str | CardDetails,
        amount: Decimal,
        capture_manual: bool,
        idempotency_key: str,
    ) -> GatewayPayment:
        """Confirm with a payment method: a Stripe PaymentMethod id made by
        Stripe.js, or the test gateway's card. A decline is an answer (status
        failed with the reason), not an error."""
        ...

    def payment_retrieve(self, *, reference: str) -> GatewayPayment: ...

    def payment_capture(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayPayment: ...

    def payment_cancel(self, *, reference: str, idempotency_key: str) -> GatewayPayment: ...

    def refund_create(
        self, *, reference: str, amount: Decimal, currency: str, reason: str, idempotency_key: str
    ) -> GatewayRefund: ...

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The event's payload once its signature and age check out; raises
        WebhookInvalid otherwise."""
        ...

    def webhook_parse(self, *, payload: Mapping[str, Any]) -> GatewayEvent: ...


# --- Signed webhooks (Stripe's scheme, also used by the test gateway) -------------


def signature_header(*, body: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``t=<unix time>,v1=<HMAC-SHA256(secret, "t.body")>`` header."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _signed_at(header: str) -> int:
    """The ``t=`` of a header that passed ``verify_header`` (so it has one),
    read as Stripe's library reads it.

    >>> _signed_at("v1=abc,t=1700000000")
    1700000000
    """
    return next(int(item.split("=", 2)[1]) for item in header.split(",") if item.split("=", 2)[0] == "t")


def signed_payload_read(*, body: bytes, header: str | None, secret: str, tolerance: int) -> dict[str, Any]:
    """Check a Stripe-style signature (what ``stripe.Webhook.construct_event``
    does) and return the JSON body; any flaw is WebhookInvalid."""
    if not secret:
        raise WebhookInvalid("Webhooks of this gateway are not configured.")
    if not header:
        raise WebhookInvalid("The signature header is missing.")
    try:
        text = body.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, header, secret, tolerance)
        payload = json.loads(text)
    except UnicodeDecodeError:
        raise WebhookInvalid("The body is not UTF-8.") from None
    except stripe.SignatureVerificationError as error:
        raise WebhookInvalid(f"Invalid signature: {error.user_message}") from None
    except ValueError:
        raise WebhookInvalid("The body is not JSON.") from None
    # Stripe's check refuses only the past; a delivery signed beyond the
    # tolerance into the future (a clock far off, or a signature made ahead to
    # be replayed later) is refused as well.
    if tolerance and _signed_at(header) > time.time() + tolerance:
        raise WebhookInvalid("Invalid signature: Timestamp too far in the future")
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("id"), str)
        and payload["id"]
        and isinstance(payload.get("type"), str)
        and isinstance(payload.get("created"), int)
    ):
        raise WebhookInvalid("The body is not an event (id, type and created are needed).")
    return payload
