"""Refunds of an order, by amount or by lines, with or without restocking.

The order's lock is taken first, so two clicks (or two staff members) queue:
the second finds the first's refund by its key and gets it back, without
refunding or restocking twice. payments enforces that the refunded total never
exceeds the captured total, and records nothing when the gateway refuses; both
come back here as an ``OrderStateError`` carrying the reason.
"""

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import StockMovement
from catalog.stock import stock_adjust
from orders import locks
from orders.lifecycle.transitions import OrderStateError, order_event_write
from orders.models import Order, OrderLine
from orders.notices import order_notify
from orders.status import UNPAID
from payments.errors import PaymentError
from payments.models import Refund
from payments.selectors import payment_get_for_order
from payments.services import payment_refund
from shop.money import ZERO, format_money, money_round


def lines_refund_amount(*, order: Order, lines: Mapping[int, int]) -> Decimal:
    """What ``lines`` ({order line id: units}) are worth: each line's total
    (after its discount, tax included as paid) pro rata per unit, rounded
    once per line. Unknown lines or quantities beyond the line's are an
    ``OrderStateError``."""
    order_lines = {line.pk: line for line in order.lines.all()}
    amount = ZERO
    for line_id, quantity in lines.items():
        line = order_lines.get(line_id)
        if line is None:
            raise OrderStateError(_("Line %(id)s is not a line of this order.") % {"id": line_id})
        if quantity < 0 or quantity > line.quantity:
            raise OrderStateError(
                _("%(sku)s: choose between 0 and %(max)d units.") % {"sku": line.sku, "max": line.quantity}
            )
        amount += money_round(line.total * quantity / line.quantity)
    return amount


@transaction.atomic
def order_refund(
    *,
    order_id: int,
    by: User | None,
    amount: Decimal | None = None,
    lines: Mapping[int, int] | None = None,
    restock: bool = False,
    key: str,
    reason: str = "",
    notify: bool = True,
) -> Refund:
    """Refund ``amount``, or what ``lines`` are worth (then ``restock`` puts
    their units back on the shelf through the ledger, as a return). The same
    ``key`` again returns the first refund and changes nothing. Raises
    ``OrderStateError`` (nothing changed) when there is nothing to refund, the
    amount is beyond what can still be refunded, or the gateway refuses.
    ``notify=False`` leaves the "refunded" email to the caller (a return's own)."""
    if not key:
        raise OrderStateError(_("A refund needs an idempotency key."))
    order = locks.order_lock(order_id=order_id)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if (amount is None) == (lines is None):
        raise OrderStateError(_("Refund either an amount or chosen lines."))
    if restock and lines is None:
        raise OrderStateError(_("Only refunded lines can be restocked."))
    if order.status in UNPAID:
        raise OrderStateError(_("This order was not paid, so nothing can be refunded."))
    chosen = {line_id: qty for line_id, qty in (lines or {}).items() if qty}
    if lines is not None:
        amount = lines_refund_amount(order=order, lines=chosen)
    if amount is None or amount <= ZERO:
        raise OrderStateError(_("Choose an amount or at least one unit to refund."))
    payment = payment_get_for_order(order_reference=order.number)
    if payment is None:
        raise OrderStateError(_("This order has no payment to refund."))
    try:
        refund = payment_refund(payment=payment, amount=amount, reason=reason or "refund", key=key)
    except PaymentError as exc:
        raise OrderStateError(_("The refund was refused: %(why)s") % {"why": exc}) from None
    if restock:
        _restock(order, chosen, by=by)
    note = _("Refunded %(amount)s.") % {"amount": format_money(amount, currency=order.currency)}
    if restock:
        note += " " + _("Units put back in stock.")
    if reason:
        note += f" {reason}"
    order_event_write(order, by=by, note=note)
    if notify:
        order_notify(order=order, kind="refunded", key=f"refund:{refund.pk}")
    return refund


def _restock(order: Order, lines: Mapping[int, int], *, by: User | None) -> None:
    for line in OrderLine.objects.filter(order=order, pk__in=lines).select_related("variant").order_by("pk"):
        if line.variant is None:  # the variant was deleted: nothing to put back
            continue
        stock_adjust(
            variant=line.variant,
            quantity_change=lines[line.pk],
            reason=StockMovement.Reason.RETURN,
            note=_("Refund of order %(number)s") % {"number": order.number},
            by=by,
            reference=order.number,
        )
