"""How an order follows its payment.

Every path that moves a payment goes through one of these functions: the
checkout's card form, the test bank's authentication page, Stripe's confirm
and return, the status page's check, the gateway's webhook, the capture at
shipment and the expiry sweep's last look. Each takes the order's lock, asks ``payments`` to move the payment
(which locks the payment's row and asks the gateway), then moves the order to
what the payment now says, in the same transaction:

    order lock -> payments.services.<verb> -> order_payment_follow
        -> orders.services.order_payment_follow -> order_mark_paid | order_payment_failed

So a confirmed payment never leaves its order unpaid: if moving the order
fails, the payment's record is undone too and the caller fails (a webhook
answers 500 and is delivered again; the shopper's return asks again).
"""

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.locks import order_lock_by_number, order_lock_for_payment
from orders.models import Order
from orders.services import order_mark_paid, order_payment_follow, order_unpaid_cancel_locked
from orders.status import UNPAID
from payments.gateways.base import CardDetails
from payments.locks import payment_status_lock
from payments.models import ATTEMPT_STATES, Payment, WebhookEvent
from payments.selectors import payment_get_for_order, webhook_event_payment
from payments.services import (
    payment_capture,
    payment_confirm,
    payment_sync,
    payment_test_authenticate,
    payment_test_card_submit,
    webhook_event_apply,
)

logger = logging.getLogger(__name__)


def _moved[P: (Payment, Payment | None)](payment: Payment, move: Callable[[], P]) -> P:
    """Run ``move`` (a payments verb on ``payment``) holding the order's lock
    and the payment's, then move the order with the payment's new status."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        moved = move()
        if moved is not None:
            order_payment_follow(payment=moved, previous_status=previous)
    return moved


def order_payment_card_submit(*, payment: Payment, card: CardDetails) -> Payment:
    """Pay with the test gateway's card form."""
    return _moved(
        payment,
        lambda: payment_test_card_submit(
            payment=payment,
            number=card.number,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            cvc=card.cvc,
        ),
    )


def order_payment_authenticate(*, payment: Payment, approve: bool) -> Payment:
    """The test bank's extra step, approved or failed."""
    return _moved(payment, lambda: payment_test_authenticate(payment=payment, approve=approve))


def order_payment_confirm(*, payment: Payment, payment_method: str) -> Payment:
    """Confirm on the server with a PaymentMethod that Stripe.js created."""
    return _moved(payment, lambda: payment_confirm(payment=payment, payment_method=payment_method))


def order_payment_sync(*, payment: Payment) -> Payment:
    """Ask the gateway how the payment stands (the shopper came back, a
    webhook may be late) and move the order with it."""
    return _moved(payment, lambda: payment_sync(payment=payment))


def order_payment_capture(*, payment: Payment, amount: Decimal | None = None) -> Payment:
    """Capture an authorised payment (at shipment); the caller holds the order."""
    return _moved(payment, lambda: payment_capture(payment=payment, amount=amount))


def order_payment_event_apply(*, event: WebhookEvent) -> Payment | None:
    """Apply a verified webhook event to its payment, then move the order.
    An event about no payment of ours is recorded and moves nothing."""
    known = webhook_event_payment(event=event)
    if known is None:
        return webhook_event_apply(event=event)
    return _moved(known, lambda: webhook_event_apply(event=event))


# --- Expiry -------------------------------------------------------------------------------


def orders_unpaid_expire(*, now: datetime | None = None) -> int:
    """Beat: cancel unpaid orders whose reservation expired, after asking the
    gateway once more (a payment confirmed late is honoured, not lost).
    Returns how many were cancelled; one that fails is logged and retried
    on the next run."""
    now = now or timezone.now()
    cancelled = 0
    numbers = Order.objects.filter(status__in=UNPAID, reservation_expires_at__lt=now).values_list(
        "number", flat=True
    )
    for number in list(numbers):
        try:
            cancelled += _order_expire(number=number)
        except Exception:
            logger.exception("Could not expire unpaid order %s", number)
    return cancelled


def _order_expire(*, number: str) -> int:
    payment = payment_get_for_order(order_reference=number)
    if payment is not None and payment.status in ATTEMPT_STATES:
        try:
            payment = order_payment_sync(payment=payment)
        except Exception:  # the gateway is down: decide on what we know
            logger.warning("Could not check payment %s of expired order %s", payment.pk, number)
    if payment is not None and payment.status in (Payment.Status.CAPTURED, Payment.Status.AUTHORIZED):
        order_mark_paid(number=number, payment=payment)
        return 0
    with transaction.atomic():
        order = order_lock_by_number(number=number)
        if order is None or order.status not in UNPAID:
            return 0  # paid or cancelled meanwhile
        order_unpaid_cancel_locked(order, note=_("The reservation expired before payment."), by=None)
    return 1
