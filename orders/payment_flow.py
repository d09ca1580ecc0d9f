"""How an order follows its payment.

Every path that moves a payment goes through one of these functions: the
checkout's card form, the test bank's authentication page, Stripe's confirm
and return, the status page's check, the gateway's webhook and the capture at
shipment. Each takes the order's lock, asks ``payments`` to move the payment
(which locks the payment's row and asks the gateway), then moves the order to
what the payment now says, in the same transaction:

    order lock -> payments.services.<verb> -> order_payment_follow
        -> orders.services.order_payment_follow -> order_mark_paid | order_payment_failed

So a confirmed payment never leaves its order unpaid: if moving the order
fails, the payment's record is undone too and the caller fails (a webhook
answers 500 and is delivered again; the shopper's return asks again).
"""

from decimal import Decimal

from orders.locks import order_lock_for_payment
from orders.services import order_payment_follow
from payments.gateways.base import CardDetails
from payments.locks import payment_status_lock
from payments.models import Payment, WebhookEvent
from payments.selectors import webhook_event_payment
from payments.services import (
    payment_capture,
    payment_confirm,
    payment_sync,
    payment_test_authenticate,
    payment_test_card_submit,
    webhook_event_apply,
)


def order_payment_card_submit(*, payment: Payment, card: CardDetails) -> Payment:
    """Pay with the test gateway's card form."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        payment = payment_test_card_submit(
            payment=payment,
            number=card.number,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            cvc=card.cvc,
        )
        order_payment_follow(payment=payment, previous_status=previous)
    return payment


def order_payment_authenticate(*, payment: Payment, approve: bool) -> Payment:
    """The test bank's extra step, approved or failed."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        payment = payment_test_authenticate(payment=payment, approve=approve)
        order_payment_follow(payment=payment, previous_status=previous)
    return payment


def order_payment_confirm(*, payment: Payment, payment_method: str) -> Payment:
    """Confirm on the server with a PaymentMethod that Stripe.js created."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        payment = payment_confirm(payment=payment, payment_method=payment_method)
        order_payment_follow(payment=payment, previous_status=previous)
    return payment


def order_payment_sync(*, payment: Payment) -> Payment:
    """Ask the gateway how the payment stands (the shopper came back, a
    webhook may be late) and move the order with it."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        payment = payment_sync(payment=payment)
        order_payment_follow(payment=payment, previous_status=previous)
    return payment


def order_payment_capture(*, payment: Payment, amount: Decimal | None = None) -> Payment:
    """Capture an authorised payment (at shipment); the caller holds the order."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        payment = payment_capture(payment=payment, amount=amount)
        order_payment_follow(payment=payment, previous_status=previous)
    return payment


def order_payment_event_apply(*, event: WebhookEvent) -> Payment | None:
    """Apply a verified webhook event to its payment, then move the order.
    An event about no payment of ours is recorded and moves nothing."""
    known = webhook_event_payment(event=event)
    if known is None:
        return webhook_event_apply(event=event)
    with order_lock_for_payment(number=known.order_reference):
        previous = payment_status_lock(payment_id=known.pk)
        payment = webhook_event_apply(event=event)
        if payment is not None:
            order_payment_follow(payment=payment, previous_status=previous)
    return payment
