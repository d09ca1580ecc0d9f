"""Returns: a shopper asks to send units of a delivered order back, within
``RETURN_WINDOW_DAYS`` of its delivery; staff approve or reject, receive the
parcel (restocking the units through the ledger, or not) and refund it.

The state machine runs beside the order's::

    requested -> approved | rejected;  approved -> received -> refunded

An illegal move is a ``ReturnError`` naming both states; every move writes
an event on the order, and approval, rejection and refund email the shopper.
Locks: the order first, then the return.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import StockMovement
from catalog.stock import stock_adjust
from orders import locks
from orders.lifecycle.refunds import order_refund
from orders.lifecycle.transitions import OrderStateError, order_event_write, order_transition
from orders.models import Order, OrderLine, Return, ReturnLine
from orders.notices import order_notify

RS = Return.Status

RETURN_ALLOWED: dict[str, frozenset[str]] = {
    RS.REQUESTED: frozenset({RS.APPROVED, RS.REJECTED}),
    RS.APPROVED: frozenset({RS.RECEIVED}),
    RS.RECEIVED: frozenset({RS.REFUNDED}),
    RS.REJECTED: frozenset(),
    RS.REFUNDED: frozenset(),
}


class ReturnError(OrderStateError):
    """A return that cannot be made or moved; the message says why."""


# Units can be asked back once they left: a shopper whose parcel is on its
# way may already know they will send it back (or refuse it at the door).
RETURNABLE = frozenset({Order.Status.PARTIALLY_SHIPPED, Order.Status.SHIPPED, Order.Status.DELIVERED})


def return_window_ends(*, order: Order) -> datetime | None:
    """When the order's return window closes (None: not delivered yet, so
    the window is open and its days have not begun)."""
    if order.delivered_at is None:
        return None
    return order.delivered_at + timedelta(days=settings.RETURN_WINDOW_DAYS)


def return_window_open(*, order: Order) -> bool:
    """Whether the order may be asked back now (what is left of it aside)."""
    if order.status not in RETURNABLE:
        return False
    ends = return_window_ends(order=order)
    return ends is None or ends >= timezone.now()


def returnable_quantities(*, order: Order) -> dict[int, int]:
    """Units of each order line that may still be asked back: shipped, less
    those in returns not rejected."""
    asked = dict(
        ReturnLine.objects.filter(return_request__order=order)
        .exclude(return_request__status=RS.REJECTED)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    return {
        line_id: shipped - asked.get(line_id, 0)
        for line_id, shipped in order.lines.values_list("pk", "quantity_shipped")
    }


@transaction.atomic
def return_request(*, order: Order, user: User | None, lines: Mapping[int, int], reason: str) -> Return:
    """Ask to return ``lines`` ({order line id: units}) of shipped units,
    within the return window; raises ``ReturnError`` saying what is wrong."""
    order = locks.order_lock(order_id=order.pk)
    if order.status not in RETURNABLE:
        raise ReturnError(_("Only an order that has shipped can be returned."))
    if not return_window_open(order=order):
        raise ReturnError(
            _("The return window of %(days)d days after delivery has closed.")
            % {"days": settings.RETURN_WINDOW_DAYS}
        )
    reason = reason.strip()
    if not reason:
        raise ReturnError(_("Please tell us why you are returning the items."))
    chosen = {line_id: quantity for line_id, quantity in lines.items() if quantity}
    if not chosen:
        raise ReturnError(_("Choose at least one item to return."))
    left = returnable_quantities(order=order)
    skus = dict(order.lines.values_list("pk", "sku"))
    for line_id, quantity in chosen.items():
        if line_id not in left:
            raise ReturnError(_("Line %(id)s is not a line of this order.") % {"id": line_id})
        if quantity < 0 or quantity > left[line_id]:
            raise ReturnError(
                _("You can return at most %(left)d of %(sku)s.")
                % {"left": left[line_id], "sku": skus[line_id]}
            )
    count = Return.objects.filter(order=order).count()
    ret = Return.objects.create(order=order, number=f"{order.number}-R{count + 1}", reason=reason[:2000])
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=ret, order_line_id=line_id, quantity=quantity)
        for line_id, quantity in sorted(chosen.items())
    )
    order_event_write(
        order,
        by=user,
        note=_("Return %(number)s requested: %(reason)s") % {"number": ret.number, "reason": reason},
    )
    order_notify(order=order, kind="return_requested", key=ret.number)
    return ret


def _move(ret: Return, to: str, *, by: User | None, note: str = "") -> Return:
    if to not in RETURN_ALLOWED.get(ret.status, frozenset()):
        raise ReturnError(
            _("A return that is %(current)s cannot become %(to)s.")
            % {"current": ret.get_status_display().lower(), "to": RS(to).label.lower()}
        )
    previous = ret.status
    ret.status = to
    if note:
        ret.staff_note = f"{ret.staff_note}\n{note}".strip()
    ret.save(update_fields=["status", "staff_note", "updated_at"])
    text = _("Return %(number)s: %(from)s → %(to)s.") % {
        "number": ret.number,
        "from": RS(previous).label.lower(),
        "to": RS(to).label.lower(),
    }
    order_event_write(ret.order, by=by, note=f"{text} {note}".strip())
    return ret


def _locked(return_id: int) -> Return:
    order_id = Return.objects.values_list("order_id", flat=True).get(pk=return_id)
    locks.order_lock(order_id=order_id)
    return locks.return_lock(return_id=return_id)


@transaction.atomic
def return_approve(*, return_id: int, by: User | None, note: str = "") -> Return:
    ret = _move(_locked(return_id), RS.APPROVED, by=by, note=note)
    order_notify(order=ret.order, kind="return_approved", key=ret.number)
    return ret


@transaction.atomic
def return_reject(*, return_id: int, by: User | None, note: str = "") -> Return:
    ret = _move(_locked(return_id), RS.REJECTED, by=by, note=note)
    order_notify(order=ret.order, kind="return_rejected", key=ret.number)
    return ret


@transaction.atomic
def return_receive(*, return_id: int, by: User | None, restock: bool, note: str = "") -> Return:
    """The parcel arrived: its units count as returned on the order's lines
    and, with ``restock``, go back on the shelf (a RETURN ledger row each)."""
    ret = _move(_locked(return_id), RS.RECEIVED, by=by, note=note)
    for line in ret.lines.select_related("order_line__variant").order_by("order_line_id"):
        OrderLine.objects.filter(pk=line.order_line_id).update(
            quantity_returned=F("quantity_returned") + line.quantity
        )
        variant = line.order_line.variant
        if restock and variant is not None:
            stock_adjust(
                variant=variant,
                quantity_change=line.quantity,
                reason=StockMovement.Reason.RETURN,
                note=_("Return %(number)s") % {"number": ret.number},
                by=by,
                reference=ret.order.number,
            )
    return ret


@transaction.atomic
def return_refund(*, return_id: int, by: User | None, note: str = "") -> Return:
    """Refund a received return's lines (their share of what was paid), once."""
    ret = _move(_locked(return_id), RS.REFUNDED, by=by, note=note)
    order_refund(
        order_id=ret.order_id,
        by=by,
        lines={line.order_line_id: line.quantity for line in ret.lines.all()},
        restock=False,  # restocking is decided on receipt
        key=f"{ret.number}:refund",
        reason=_("Return %(number)s") % {"number": ret.number},
        notify=False,  # the return's own email below says it
    )
    order_notify(order=ret.order, kind="return_refunded", key=ret.number)
    return ret


OPEN_RETURNS = (RS.REQUESTED, RS.APPROVED, RS.RECEIVED)


def orders_complete(*, now: datetime | None = None) -> int:
    """Beat: a delivered order whose return window has closed, with no
    return still open, is completed (the end of its machine). Returns how
    many were completed; a return still open waits for staff."""
    now = now or timezone.now()
    closed_before = now - timedelta(days=settings.RETURN_WINDOW_DAYS)
    due = (
        Order.objects.filter(status=Order.Status.DELIVERED, delivered_at__lt=closed_before)
        .exclude(returns__status__in=OPEN_RETURNS)
        .values_list("pk", flat=True)
    )
    completed = 0
    for order_id in list(due):
        completed += _order_complete(order_id=order_id, closed_before=closed_before)
    return completed


@transaction.atomic
def _order_complete(*, order_id: int, closed_before: datetime) -> int:
    order = locks.order_lock(order_id=order_id)
    if (
        order.status != Order.Status.DELIVERED
        or order.delivered_at is None
        or order.delivered_at >= closed_before
        or order.returns.filter(status__in=OPEN_RETURNS).exists()
    ):
        return 0  # changed since it was listed
    order_transition(
        order=order, to=Order.Status.COMPLETED, by=None, note=_("The return window closed; order complete.")
    )
    return 1
