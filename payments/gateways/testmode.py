"""The test gateway: the embedded default, with no network. It takes a card
number, expiry and CVC in the shop's own form (clearly marked as test mode)
and answers as Stripe does for its published test numbers (payments/cards.py):
4242... succeeds, ...0002 is declined, ...9995 has insufficient funds,
...3155 asks for an extra authentication step. Only the last four digits are
kept.

It has no state of its own (the Payment row is all there is) and always
succeeds at capturing, cancelling and refunding. Its webhook events have
Stripe's shape and are signed the same way, with a key derived from
SECRET_KEY, so that the demo can exercise the webhook path too.
"""

import secrets
import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

from payments.cards import AUTHENTICATION_FAILED_MESSAGE, DECLINE_MESSAGES, TestCardOutcome, card_brand
from payments.cards import test_card_outcome as card_outcome
from payments.gateways.base import (
    CardDetails,
    GatewayEvent,
    GatewayPayment,
    GatewayRefund,
    signed_payload_read,
)
from payments.gateways.stripe import event_read
from payments.models import Payment, Refund

Status = Payment.Status
SIGNATURE_HEADER = "Shop-Test-Signature"
# Letters and digits, like Stripe's ids: a run of 13+ digits (which a card
# number scan would flag) is vanishingly unlikely.
_ALPHABET = string.ascii_letters + string.digits


def _reference(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(20))


def webhook_secret() -> str:
    return salted_hmac("payments.gateways.testmode.webhook", "secret", algorithm="sha256").hexdigest()


class TestGateway:
    __test__ = False  # not a test class, whatever pytest guesses from the name

    name = "test"
    has_remote_state = False
    takes_card_here = True

    def _paid(
        self, *, reference: str, amount: Decimal, capture_manual: bool, brand: str = "", last4: str = ""
    ) -> GatewayPayment:
        status, received = (Status.AUTHORIZED, Decimal(0)) if capture_manual else (Status.CAPTURED, amount)
        return GatewayPayment(
            reference=reference, status=status, amount_received=received, card_brand=brand, card_last4=last4
        )

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
        return GatewayPayment(reference=_reference("tpi_"), status=Status.PENDING)

    def payment_confirm(
        self,
        *,
        reference: str,
        method: str | CardDetails,
        amount: Decimal,
        capture_manual: bool,
        idempotency_key: str,
    ) -> GatewayPayment:
        if not isinstance(method, CardDetails):
            raise TypeError("The test gateway confirms with the card from its own form.")
        brand, last4 = card_brand(method.number), method.last4
        outcome = card_outcome(method.number)
        if outcome == TestCardOutcome.REQUIRES_AUTHENTICATION:
            return GatewayPayment(
                reference=reference, status=Status.REQUIRES_ACTION, card_brand=brand, card_last4=last4
            )
        if outcome in DECLINE_MESSAGES:
            return GatewayPayment(
                reference=reference,
                status=Status.FAILED,
                failure_message=str(DECLINE_MESSAGES[outcome]),
                card_brand=brand,
                card_last4=last4,
            )
        return self._paid(
            reference=reference, amount=amount, capture_manual=capture_manual, brand=brand, last4=last4
        )

    def payment_authenticate(
        self, *, reference: str, approve: bool, amount: Decimal, capture_manual: bool
    ) -> GatewayPayment:
        """The extra step of ...3155: the shopper approves or fails it."""
        if not approve:
            message = str(AUTHENTICATION_FAILED_MESSAGE)
            return GatewayPayment(reference=reference, status=Status.FAILED, failure_message=message)
        return self._paid(reference=reference, amount=amount, capture_manual=capture_manual)

    def payment_retrieve(self, *, reference: str) -> GatewayPayment:
        raise NotImplementedError("The test gateway keeps no state; the Payment row is the truth.")

    def payment_capture(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayPayment:
        return GatewayPayment(reference=reference, status=Status.CAPTURED, amount_received=amount)

    def payment_cancel(self, *, reference: str, idempotency_key: str) -> GatewayPayment:
        return GatewayPayment(reference=reference, status=Status.CANCELLED)

    def refund_create(
        self, *, reference: str, amount: Decimal, currency: str, reason: str, idempotency_key: str
    ) -> GatewayRefund:
        return GatewayRefund(reference=_reference("tre_"), status=Refund.Status.SUCCEEDED)

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        return signed_payload_read(
            body=body,
            header=headers.get(SIGNATURE_HEADER),
            secret=webhook_secret(),
            tolerance=settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
        )

    def webhook_parse(self, *, payload: Mapping[str, Any]) -> GatewayEvent:
        return event_read(payload)
