"""An order's status moves and its history.

``order_transition`` is the one way an order changes status (the legal moves
are in ``orders/status.py``), and ``order_event_write`` the one way a line
enters its history. Every other module of the lifecycle calls these two with
the order's row locked (``orders/locks.py``)."""

from django.utils.translation import gettext as _

from accounts.models import User
from orders.models import Order, OrderEvent
from orders.status import can_move


class OrderStateError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def order_transition(*, order: Order, to: str, by: User | None = None, note: str = "") -> Order:
    """Move ``order`` (locked by the caller) to ``to`` and write the event;
    an illegal move is an ``OrderStateError``, never a silent no-op."""
    if to not in Order.Status.values:
        raise OrderStateError(_("%(to)s is not an order status.") % {"to": to})
    if not can_move(order.status, to):
        raise OrderStateError(
            _("An order that is %(current)s cannot become %(to)s.")
            % {"current": order.get_status_display().lower(), "to": Order.Status(to).label.lower()}
        )
    previous = order.status
    order.status = to
    order.save(update_fields=["status"])
    order_event_write(order, from_status=previous, to=to, by=by, note=note)
    return order


def order_event_write(
    order: Order, *, to: str = "", from_status: str = "", by: User | None = None, note: str = ""
) -> None:
    """A line in the order's history: a note, or a move ``from_status`` -> ``to``."""
    OrderEvent.objects.create(order=order, from_status=from_status, to_status=to, by=by, note=note)


def order_stock_lines(order: Order) -> list[tuple[int, int]]:
    return [
        (variant_id, quantity)
        for variant_id, quantity in order.lines.values_list("variant_id", "quantity")
        if variant_id is not None
    ]
