"""A customer (or staff) cancels an order before it ships.

Unpaid, its reservation and promo codes are freed and its payment attempt
cancelled (as expiry does). Paid, its sold units go back on the shelf through
the stock ledger (a ``return`` movement per line), and the money goes back
through the gateway: an authorisation is voided, a capture refunded in full
with the key ``<number>:cancel``. All of it happens in one transaction under
the order's lock, the gateway call last: a refusal rolls everything back and
its reason is the error's message. Two clicks at once queue on the lock and
the second finds the order cancelled already: one refund, one event.
"""

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import StockMovement, Variant
from catalog.stock import (
    StockError,
    stock_adjust,
    stock_release,
)
from orders import locks
from orders.lifecycle.transitions import OrderStateError, order_stock_lines, order_transition
from orders.models import Order
from orders.notices import order_notify
from orders.status import UNPAID
from payments.errors import PaymentError
from payments.models import ATTEMPT_STATES, Payment
from payments.selectors import payment_get_for_order
from payments.services import payment_cancel, payment_refund
from promotions.services import promo_code_redemption_cancel

logger = logging.getLogger(__name__)

CANCELLABLE = frozenset({*UNPAID, Order.Status.PAID})


def order_can_cancel(order: Order) -> bool:
    """Whether the order may still be cancelled (nothing shipped yet)."""
    return order.status in CANCELLABLE and not any(line.quantity_shipped for line in order.lines.all())


@transaction.atomic
def order_cancel(*, order_id: int, by: User | None, note: str = "") -> Order:
    """Cancel the order ``order_id``: free or restock its units, give the
    money back, write the event and send the "cancelled" email after commit.
    Refused with an ``OrderStateError`` once anything shipped, when it is
    cancelled already, or when the gateway refuses the refund (its reason
    said; nothing changed)."""
    order = locks.order_lock(order_id=order_id)
    if order.status == Order.Status.CANCELLED:
        raise OrderStateError(_("This order is already cancelled."))
    if order.status not in CANCELLABLE or order.lines.filter(quantity_shipped__gt=0).exists():
        raise OrderStateError(
            _("An order that has shipped cannot be cancelled; please request a return instead.")
        )
    note = note or _("Cancelled by the customer.")
    if order.status in UNPAID:
        order_unpaid_cancel_locked(order, note=note, by=by)
    else:
        _cancel_paid(order, note=note, by=by)
    order_notify(order=order, kind="cancelled", key="cancelled")
    return order


def _cancel_paid(order: Order, *, note: str, by: User | None) -> None:
    order_transition(order=order, to=Order.Status.CANCELLED, by=by, note=note)
    order.cancelled_at = timezone.now()
    order.save(update_fields=["cancelled_at"])
    _restock(order, by=by)
    payment = payment_get_for_order(order_reference=order.number)
    if payment is None:  # a free order: nothing was paid
        return
    try:
        if payment.status == Payment.Status.AUTHORIZED:
            payment_cancel(payment=payment)
        elif payment.refundable_amount > 0:
            payment_refund(
                payment=payment,
                amount=payment.refundable_amount,
                reason="order cancelled",
                key=f"{order.number}:cancel",
            )
    except PaymentError as exc:
        raise OrderStateError(
            _("The payment could not be refunded, so the order was not cancelled: %(reason)s")
            % {"reason": exc}
        ) from exc


def _restock(order: Order, *, by: User | None) -> None:
    """The sold units back on the shelf, one ledger row per line, variants in
    primary-key order (the shop's locking order)."""
    quantities: dict[int, int] = {}
    for line in order.lines.all():
        if line.variant_id is not None:
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
    variants = Variant.objects.in_bulk(sorted(quantities))
    for variant_id in sorted(quantities):
        try:
            stock_adjust(
                variant=variants[variant_id],
                quantity_change=quantities[variant_id],
                reason=StockMovement.Reason.RETURN,
                note=_("Order cancelled before shipment."),
                by=by,
                reference=order.number,
            )
        except StockError as exc:
            raise OrderStateError(str(exc)) from exc


def orders_unpaid_cancel(*, order_ids: Sequence[int], note: str) -> int:
    """Cancel those of these orders that still await payment (their stock and
    codes freed, the payment attempt cancelled after commit), locked in
    primary-key order; returns how many were cancelled. A payment confirmed
    later for one of them is given back (``order_mark_paid``)."""
    cancelled = 0
    for order_id in sorted(order_ids):
        with transaction.atomic():
            order = locks.order_lock(order_id=order_id)
            if order.status in UNPAID:
                order_unpaid_cancel_locked(order, note=note, by=None)
                cancelled += 1
    return cancelled


def order_unpaid_cancel_locked(order: Order, *, note: str, by: User | None) -> None:
    """Release an unpaid order's stock and codes, cancel its payment attempt."""
    stock_release(lines=order_stock_lines(order), reference=order.number)
    promo_code_redemption_cancel(order_reference=order.number)
    order_transition(order=order, to=Order.Status.CANCELLED, by=by, note=note)
    order.cancelled_at = timezone.now()
    order.reservation_expires_at = None
    order.save(update_fields=["cancelled_at", "reservation_expires_at"])
    payment = payment_get_for_order(order_reference=order.number)
    if payment is not None and payment.status in ATTEMPT_STATES:
        number, payment_id = order.number, payment.pk
        transaction.on_commit(
            lambda: _payment_cancel_quietly(payment_id=payment_id, number=number), robust=True
        )


def _payment_cancel_quietly(*, payment_id: int, number: str) -> None:
    payment = Payment.objects.get(pk=payment_id)
    try:
        payment_cancel(payment=payment)
    except Exception:
        logger.warning("Could not cancel the payment of cancelled order %s", number, exc_info=True)
