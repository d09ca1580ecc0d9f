"""The verbs of payments: start, pay (test gateway), confirm, sync, capture,
cancel and refund a payment, and receive and apply webhook events.

A payment is confirmed by the gateway, never by the browser: its status moves
only on a gateway's answer (a call made here, a server-side check of the
PaymentIntent in ``payment_sync``, or a verified webhook event). Each verb
locks the payment's row (payments/locks.py) and, holding it, asks the gateway,
so a double click waits for the first click's answer and then finds the work
done; every call that creates or moves money also carries an idempotency key
derived from the order, so the gateway does it once even if we ask twice.

A payment's status never moves backwards: once authorised, captured or
cancelled, an event that arrives late ("processing" after "succeeded") changes
nothing; among the attempt states (pending, requires action, failed) the newest
news wins. Refund state is kept in the amounts (``refunded_amount`` against
``captured_amount``, a CHECK constraint holds it) and mirrored in the status.
Orders follow their payments by calling these verbs from
``orders.lifecycle.payment``, which moves the order in the same transaction.
"""

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.cards import card_digits, card_errors
from payments.errors import PaymentError, WebhookInvalid
from payments.gateways import gateway_get
from payments.gateways.base import CardDetails, GatewayPayment
from payments.gateways.testmode import TestGateway
from payments.locks import payment_lock, payment_lock_by_reference, payment_lock_live, webhook_event_lock
from payments.models import ATTEMPT_STATES, Payment, Refund, WebhookEvent
from shop.money import ZERO, format_money, money_round

logger = logging.getLogger(__name__)

Status = Payment.Status
REFUND_STATES = frozenset({Status.PARTIALLY_REFUNDED, Status.REFUNDED})


# --- Helpers ----------------------------------------------------------------------


def _capture_manual() -> bool:
    return bool(settings.PAYMENT_CAPTURE == "manual")


def _amount_check(amount: Decimal, *, what: str = "amount") -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise PaymentError(f"The {what} must be more than zero.")
    if amount != money_round(amount):
        raise PaymentError(f"The {what} cannot have more than two decimals.")
    return money_round(amount)


def gateway_key(*parts: object) -> str:
    """An idempotency key from the order and the action, at most 255
    characters (Stripe's limit)."""
    key = ":".join(str(part) for part in parts)
    if len(key) > 255:
        key = f"{key[:180]}:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def _payment_key(payment: Payment, action: str, *parts: object) -> str:
    return gateway_key(payment.order_reference, "payment", payment.attempt, action, *parts)


def _remote_apply(payment: Payment, remote: GatewayPayment, *, news_at: datetime | None = None) -> Payment:
    """Move a locked payment to what the gateway says, never backwards.
    ``news_at`` is when the gateway said it (an event's creation, a sync's
    now); older news does not override newer among the attempt states."""
    previous = payment.status
    new = remote.status
    if previous == Status.CANCELLED or previous in REFUND_STATES:
        return payment
    if new in ATTEMPT_STATES:
        if previous not in ATTEMPT_STATES:
            return payment  # settled: a late "processing" or "failed" changes nothing
        if news_at and payment.last_event_at and news_at < payment.last_event_at:
            return payment
    if previous == Status.CAPTURED and new in (Status.AUTHORIZED, Status.CANCELLED):
        return payment
    payment.status = new
    if new == Status.CAPTURED and payment.captured_amount == ZERO:
        received = remote.amount_received if remote.amount_received is not None else payment.amount
        payment.captured_amount = min(received, payment.amount)
    payment.failure_message = (
        (remote.failure_message or "The payment failed.") if new == Status.FAILED else ""
    )
    if remote.card_last4:
        payment.card_brand, payment.card_last4 = remote.card_brand[:20], remote.card_last4[-4:]
    if news_at and (payment.last_event_at is None or news_at > payment.last_event_at):
        payment.last_event_at = news_at
    payment.save()
    return payment


def _refund_status(payment: Payment) -> None:
    if payment.refunded_amount > ZERO:
        refunded_all = payment.refunded_amount >= payment.captured_amount
        payment.status = Status.REFUNDED if refunded_all else Status.PARTIALLY_REFUNDED


def _cancel_locked(payment: Payment) -> Payment:
    if payment.gateway_reference:
        gateway_get(payment.gateway).payment_cancel(
            reference=payment.gateway_reference, idempotency_key=_payment_key(payment, "cancel")
        )
    payment.status = Status.CANCELLED
    payment.save()
    return payment


# --- Payments -----------------------------------------------------------------------


def payment_start(*, order_reference: str, amount: Decimal, currency: str, email: str) -> Payment:
    """The order's payment, created at the configured gateway if it has none:
    a double click (or a reload) gets the same payment and PaymentIntent. If
    the order's amount changed since, an unpaid payment is cancelled and a new
    one started (a new attempt, so a new idempotency key: Stripe refuses a key
    reused with other parameters)."""
    amount = _amount_check(amount)
    currency = currency.upper()
    if not (len(currency) == 3 and currency.isalpha()):
        raise PaymentError(f"{currency!r} is not a currency code.")
    if not 0 < len(order_reference) <= 64:
        raise PaymentError("An order reference of 1 to 64 characters is needed.")
    if len(email) > 254:
        raise PaymentError("The email address is too long.")
    # At most: cancel the old payment, lose the race to create, return the winner's.
    for _ in range(4):
        with transaction.atomic():
            live = payment_lock_live(order_reference=order_reference)
            if live is not None:
                if (live.amount, live.currency) == (amount, currency):
                    if email and live.email != email:
                        live.email = email
                        live.save(update_fields=["email", "updated_at"])
                    return live
                if live.status not in ATTEMPT_STATES:
                    raise PaymentError("This order is already paid; its amount can no longer change.")
                # Committed on its own: the gateway has cancelled it, whatever
                # happens to the new payment.
                _cancel_locked(live)
                continue
            gateway = gateway_get()
            attempt = Payment.objects.filter(order_reference=order_reference).count() + 1
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        order_reference=order_reference,
                        gateway=gateway.name,
                        attempt=attempt,
                        amount=amount,
                        currency=currency,
                        email=email,
                    )
            except IntegrityError:
                # Another click created it first (PostgreSQL made us wait for
                # its commit): take that one on the next round.
                continue
            remote = gateway.payment_create(
                order_reference=order_reference,
                amount=amount,
                currency=currency,
                email=email,
                capture_manual=_capture_manual(),
                idempotency_key=_payment_key(payment, "create", amount, currency),
            )
            payment.gateway_reference = remote.reference
            payment.save(update_fields=["gateway_reference", "updated_at"])
            payment.client_secret = remote.client_secret
            return payment
    raise PaymentError("The payment could not be started. Please try again.")


def _payable(payment: Payment) -> Payment | None:
    """None when the (locked) payment takes a card now; the payment itself
    when it is already paid (a double click after success)."""
    if payment.status in ATTEMPT_STATES:
        return None
    if payment.is_paid:
        return payment
    raise PaymentError("This payment was cancelled; please start again.")


@transaction.atomic
def payment_test_card_submit(
    *, payment: Payment, number: str, exp_month: int, exp_year: int, cvc: str
) -> Payment:
    """Pay with the test gateway's card form. A card the form should have
    refused is a ValidationError by field, before any gateway call; a decline
    is a payment ``failed`` with the reason, open to another card."""
    errors = card_errors(
        number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc, today=timezone.localdate()
    )
    if errors:
        raise ValidationError(errors)
    card = CardDetails(number=card_digits(number), exp_month=exp_month, exp_year=exp_year, cvc=cvc)
    payment = payment_lock(payment_id=payment.pk)
    if payment.gateway != TestGateway.name:
        raise PaymentError("This payment is not in test mode.")
    if done := _payable(payment):
        return done
    remote = TestGateway().payment_confirm(
        reference=payment.gateway_reference,
        method=card,
        amount=payment.amount,
        capture_manual=_capture_manual(),
        idempotency_key=_payment_key(payment, "confirm"),
    )
    return _remote_apply(payment, remote, news_at=timezone.now())


@transaction.atomic
def payment_test_authenticate(*, payment: Payment, approve: bool) -> Payment:
    """The extra step the test card ...3155 asks for, approved or failed."""
    payment = payment_lock(payment_id=payment.pk)
    if payment.gateway != TestGateway.name:
        raise PaymentError("This payment is not in test mode.")
    if payment.is_paid:
        return payment
    if payment.status != Status.REQUIRES_ACTION:
        raise PaymentError("This payment is not waiting for authentication.")
    remote = TestGateway().payment_authenticate(
        reference=payment.gateway_reference,
        approve=approve,
        amount=payment.amount,
        capture_manual=_capture_manual(),
    )
    return _remote_apply(payment, remote, news_at=timezone.now())


@transaction.atomic
def payment_confirm(*, payment: Payment, payment_method: str) -> Payment:
    """Confirm on the server with a PaymentMethod that Stripe.js created (a
    saved card, say); the Payment Element normally confirms in the browser."""
    payment = payment_lock(payment_id=payment.pk)
    if done := _payable(payment):
        return done
    remote = gateway_get(payment.gateway).payment_confirm(
        reference=payment.gateway_reference,
        method=payment_method,
        amount=payment.amount,
        capture_manual=_capture_manual(),
        idempotency_key=_payment_key(payment, "confirm", payment_method),
    )
    return _remote_apply(payment, remote, news_at=timezone.now())


@transaction.atomic
def payment_sync(*, payment: Payment) -> Payment:
    """Ask the gateway how the payment stands (the shopper came back from
    Stripe, whatever the return URL claims) and record it."""
    payment = payment_lock(payment_id=payment.pk)
    gateway = gateway_get(payment.gateway)
    if not gateway.has_remote_state or not payment.gateway_reference:
        return payment
    remote = gateway.payment_retrieve(reference=payment.gateway_reference)
    return _remote_apply(payment, remote, news_at=timezone.now())


@transaction.atomic
def payment_capture(*, payment: Payment, amount: Decimal | None = None) -> Payment:
    """Capture an authorised payment (at shipment, with PAYMENT_CAPTURE=manual),
    all of it or less; once captured, asking again changes nothing."""
    payment = payment_lock(payment_id=payment.pk)
    if payment.status in (Status.CAPTURED, *REFUND_STATES):
        return payment
    if payment.status != Status.AUTHORIZED:
        raise PaymentError(
            f"Only an authorised payment can be captured; this one is {payment.get_status_display()}."
        )
    amount = payment.amount if amount is None else _amount_check(amount)
    if amount > payment.amount:
        raise PaymentError(
            f"At most {format_money(payment.amount, currency=payment.currency)} can be captured."
        )
    gateway_get(payment.gateway).payment_capture(
        reference=payment.gateway_reference,
        amount=amount,
        currency=payment.currency,
        idempotency_key=_payment_key(payment, "capture"),
    )
    payment.status, payment.captured_amount = Status.CAPTURED, amount
    payment.save()
    return payment


@transaction.atomic
def payment_cancel(*, payment: Payment) -> Payment:
    """Cancel a payment not yet captured (an authorisation is released)."""
    payment = payment_lock(payment_id=payment.pk)
    if payment.status == Status.CANCELLED:
        return payment
    if payment.status in (Status.CAPTURED, *REFUND_STATES):
        raise PaymentError("A captured payment cannot be cancelled; refund it instead.")
    return _cancel_locked(payment)


# --- Refunds ------------------------------------------------------------------------


@transaction.atomic
def payment_refund(*, payment: Payment, amount: Decimal, reason: str = "", key: str) -> Refund:
    """Refund captured money, all or part. ``key`` makes it idempotent: the
    same key again (a double click) returns the first refund. The refunded
    total never exceeds the captured total; a gateway refusal is a
    PaymentError with the gateway's reason, and nothing is recorded."""
    if not key:
        raise PaymentError("A refund needs an idempotency key.")
    amount = _amount_check(amount, what="refund amount")
    payment = payment_lock(payment_id=payment.pk)
    # Read under the payment's lock: a concurrent refund with this key has
    # committed by now, and is seen.
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.payment_id != payment.pk:
            raise PaymentError("This refund key was used for another payment.")
        return existing
    if payment.captured_amount == ZERO or payment.status not in (Status.CAPTURED, *REFUND_STATES):
        raise PaymentError("Nothing was captured, so nothing can be refunded.")
    if amount > payment.refundable_amount:
        left = format_money(payment.refundable_amount, currency=payment.currency)
        raise PaymentError(f"At most {left} can still be refunded.")
    remote = gateway_get(payment.gateway).refund_create(
        reference=payment.gateway_reference,
        amount=amount,
        currency=payment.currency,
        reason=reason,
        idempotency_key=gateway_key(payment.order_reference, "refund", key),
    )
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason[:255],
        gateway_reference=remote.reference,
        status=remote.status,
        idempotency_key=key,
    )
    payment.refunded_amount += amount
    _refund_status(payment)
    payment.save()
    return refund


def _refunds_reconcile(payment: Payment, *, refunded_total: Decimal, event: WebhookEvent) -> None:
    """Record money the gateway says was refunded that we did not refund
    ourselves (from Stripe's dashboard, say)."""
    missing = min(refunded_total, payment.captured_amount) - payment.refunded_amount
    if missing <= ZERO:
        return
    Refund.objects.create(
        payment=payment,
        amount=missing,
        reason="Refunded at the gateway",
        status=Refund.Status.SUCCEEDED,
        idempotency_key=gateway_key(event.gateway, "event", event.event_id),
    )
    payment.refunded_amount += missing
    _refund_status(payment)
    payment.save()


# --- Webhooks -----------------------------------------------------------------------


@transaction.atomic
def webhook_event_receive(*, gateway: str, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
    """Verify a webhook delivery and record its event once. A repeated
    delivery returns the recorded event with ``created`` False. A bad
    signature, a stale timestamp or a tampered body is WebhookInvalid, and
    nothing is recorded."""
    try:
        payload = gateway_get(gateway).webhook_verify(body=body, headers=headers)
    except LookupError:
        raise WebhookInvalid(f"Unknown gateway {gateway!r}.") from None
    event_id, event_type = str(payload["id"])[:255], str(payload["type"])[:100]
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                gateway=gateway, event_id=event_id, type=event_type, payload=payload
            )
    except IntegrityError:
        event = WebhookEvent.objects.get(gateway=gateway, event_id=event_id)
        event.created = False
        return event


@transaction.atomic
def webhook_event_apply(*, event: WebhookEvent) -> Payment | None:
    """Apply a recorded event to its payment, once: concurrent deliveries
    queue on the event's row and find it processed. Returns the payment the
    event is about, if we have it."""
    event = webhook_event_lock(event_id=event.pk)
    if event.processed_at is not None:
        return None
    parsed = gateway_get(event.gateway).webhook_parse(payload=event.payload)
    payment = None
    event.error = ""
    if parsed.payment_reference:
        payment = payment_lock_by_reference(gateway=event.gateway, gateway_reference=parsed.payment_reference)
        if payment is None:
            event.error = f"Ignored: no payment has the reference {parsed.payment_reference}."
        else:
            if parsed.payment is not None:
                payment = _remote_apply(payment, parsed.payment, news_at=parsed.created)
            if parsed.refunded_total is not None:
                _refunds_reconcile(payment, refunded_total=parsed.refunded_total, event=event)
    event.processed_at = timezone.now()
    event.save(update_fields=["processed_at", "error"])
    return payment


def webhook_event_mark_processed(*, event: WebhookEvent, error: str = "") -> WebhookEvent:
    """Record how processing went. With an error the event stays unprocessed
    (the next delivery tries again) and the error is kept for staff."""
    event.error = error
    event.processed_at = None if error else timezone.now()
    WebhookEvent.objects.filter(pk=event.pk).update(error=event.error, processed_at=event.processed_at)
    return event
