"""How an order follows its payment.

Every path that moves a payment goes through one of these functions: the
checkout's card form, the test bank's authentication page, Stripe's confirm
and return, the status page's check, the gateway's webhook, the capture at
shipment and the expiry sweep's last look. Each takes the order's lock, asks
``payments`` to move the payment (which locks the payment's row and asks the
gateway), then moves the order to what the payment now says, in the same
transaction:

    order lock -> payments.services.<verb> -> order_payment_follow
        -> order_mark_paid | order_payment_failed

So a confirmed payment never leaves its order unpaid: if moving the order
fails, the payment's record is undone too and the caller fails (a webhook
answers 500 and is delivered again; the shopper's return asks again). A
payment the order cannot take (cancelled meanwhile, a wrong amount) is given
back after commit; orders whose reservation expired unpaid are cancelled by
``orders_unpaid_expire``.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cart.models import Cart
from cart.services import cart_empty
from catalog.stock import stock_commit
from orders import locks
from orders.lifecycle.cancellation import order_unpaid_cancel_locked
from orders.lifecycle.transitions import (
    OrderStateError,
    order_event_write,
    order_stock_lines,
    order_transition,
)
from orders.locks import order_lock_by_number, order_lock_for_payment
from orders.models import Order
from orders.notices import order_notify
from orders.status import UNPAID
from payments.errors import PaymentError
from payments.gateways.base import CardDetails
from payments.locks import payment_status_lock
from payments.models import ATTEMPT_STATES, Payment, WebhookEvent
from payments.selectors import payment_get_for_order, webhook_event_payment
from payments.services import (
    payment_cancel,
    payment_capture,
    payment_confirm,
    payment_refund,
    payment_sync,
    payment_test_authenticate,
    payment_test_card_submit,
    webhook_event_apply,
)

logger = logging.getLogger(__name__)


def _moved[P: (Payment, Payment | None)](
    payment: Payment, move: Callable[[], P], *, shopper_watching: bool = True
) -> P:
    """Run ``move`` (a payments verb on ``payment``) holding the order's lock
    and the payment's, then move the order with the payment's new status.
    ``shopper_watching``: the shopper sees the outcome on the page (their
    card form, the bank's step, the return from Stripe), so a decline needs
    no email; a webhook's news reaches nobody unless it is told."""
    with order_lock_for_payment(number=payment.order_reference):
        previous = payment_status_lock(payment_id=payment.pk)
        moved = move()
        if moved is not None:
            order_payment_follow(payment=moved, previous_status=previous, tell_customer=not shopper_watching)
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
    return _moved(known, lambda: webhook_event_apply(event=event), shopper_watching=False)


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


def order_payment_follow(*, payment: Payment, previous_status: str, tell_customer: bool = False) -> None:
    """The order moves with its payment's new status: money confirmed pays it
    (or is given back if the order was cancelled meanwhile), a decline is
    written on an order awaiting payment. Nothing happens when the status did
    not change, so asking twice (a sync after a webhook) does nothing twice."""
    if payment.status == previous_status:
        return
    if payment.status in (Payment.Status.CAPTURED, Payment.Status.AUTHORIZED):
        order_mark_paid(number=payment.order_reference, payment=payment)
    elif payment.status == Payment.Status.FAILED:
        order_payment_failed(number=payment.order_reference, payment=payment, tell_customer=tell_customer)


def order_mark_paid(*, number: str, payment: Payment) -> Order | None:
    """The gateway confirmed ``payment``: the order is paid, its reservation
    becomes a sale, the cart it came from is emptied and the confirmation
    email is sent after commit. Safe to call any number of times; a payment
    for an order cancelled meanwhile is given back. Runs in the payment's
    transaction (payments' listeners), holding the order's lock, which
    ``order_place`` takes too: a second "Pay" placing from the same checkout
    waits and then finds the order paid."""
    with locks.order_lock_for_payment(number=number) as order:
        return _order_mark_paid(order, number=number, payment=payment)


def _order_mark_paid(order: Order | None, *, number: str, payment: Payment) -> Order | None:
    if order is None:
        logger.error("Payment %s confirmed for unknown order %s", payment.pk, number)
        return None
    payment_id = payment.pk
    if order.status not in UNPAID:
        if order.status == Order.Status.CANCELLED:
            why = _("A payment arrived after the order was cancelled.")
            transaction.on_commit(
                lambda: _payment_give_back(payment_id=payment_id, number=number, why=why), robust=True
            )
        return order
    if (payment.amount, payment.currency) != (order.total, order.currency):
        # Never ours to keep: the order stays unpaid (and expires) and the money goes back.
        logger.error("Payment %s of order %s does not match the order's total", payment.pk, number)
        why = _("A payment of %(amount)s %(currency)s did not match the total.") % {
            "amount": payment.amount,
            "currency": payment.currency,
        }
        transaction.on_commit(
            lambda: _payment_give_back(payment_id=payment_id, number=number, why=why), robust=True
        )
        return order
    return _order_paid(order, note=_("Payment confirmed by the gateway."))


@transaction.atomic
def order_confirm_free(*, number: str) -> Order:
    """An order whose total is nothing (a full discount and free shipping)
    needs no gateway: it is confirmed as paid at once."""
    order = locks.order_lock_by_number(number=number)
    if order is None:
        raise OrderStateError(_("This order does not exist."))
    if order.status not in UNPAID:
        return order
    if order.total != 0:
        raise OrderStateError(_("This order has an amount to pay."))
    return _order_paid(order, note=_("Nothing to pay: confirmed without a payment."))


def _order_paid(order: Order, *, note: str) -> Order:
    """The order (locked) is paid: its reservation becomes a sale, its cart is
    emptied and the confirmation email is queued after commit."""
    stock_commit(lines=order_stock_lines(order), reference=order.number)
    order_transition(order=order, to=Order.Status.PAID, note=note)
    order.paid_at = timezone.now()
    order.reservation_expires_at = None
    order.save(update_fields=["paid_at", "reservation_expires_at"])
    cart = Cart.objects.filter(checkout__order=order).first()
    if cart is not None:
        cart_empty(cart=cart)
    # Written here, sent after commit: a broker that is down delays it (the
    # outbox's sweep queues it later) and never fails the payment's reaction.
    order_notify(order=order, kind="confirmation", key="paid")
    return order


@transaction.atomic
def order_payment_failed(*, number: str, payment: Payment, tell_customer: bool = False) -> Order | None:
    """The gateway declined the payment of an order awaiting it: written in
    the order's history, while the order stays ``pending_payment``, open to
    another card until its reservation expires (as the checkout issue asks;
    ``payment_failed`` is left for a failure no card can mend). With
    ``tell_customer`` (news the shopper did not see on the page) they get
    the "payment declined" email and notice, once per payment."""
    order = locks.order_lock_by_number(number=number)
    if order is None or order.status != Order.Status.PENDING_PAYMENT:
        return order
    reason = payment.failure_message or _("The payment failed.")
    order_event_write(order, note=_("Payment declined: %(reason)s") % {"reason": reason})
    if tell_customer:
        order_notify(order=order, kind="payment_failed", key=f"payment:{payment.pk}")
    return order


def _payment_give_back(*, payment_id: int, number: str, why: str) -> None:
    """Money the order cannot take (it was cancelled, or the amount is wrong):
    void or refund it, once (the order's lock makes concurrent reports queue,
    and the second finds nothing left to give back), with an event saying
    ``why`` and what was done."""
    try:
        with transaction.atomic():
            order = locks.order_lock_by_number(number=number)
            payment = Payment.objects.get(pk=payment_id)
            if order is None:
                return
            if payment.status == Payment.Status.AUTHORIZED:
                payment_cancel(payment=payment)
                done = _("It was voided.")
            elif payment.is_paid and payment.refundable_amount > 0:
                payment_refund(
                    payment=payment,
                    amount=payment.refundable_amount,
                    reason="not taken by the order",
                    key=f"{number}:late-payment:{payment.pk}",
                )
                done = _("It was refunded.")
            else:
                return
            order_event_write(order, note=f"{why} {done}")
    except PaymentError:
        logger.exception("Could not give back payment %s of cancelled order %s", payment_id, number)
