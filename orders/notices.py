"""What an order tells its customer, through the one outbox (``notifications``).

``order_notify`` owes the message of a kind (``order.<kind>`` in
``notifications.kinds``: the confirmation, a declined payment, cancelled,
shipped with its tracking, delivered, a refund, each step of a return) in the
transaction of the change it tells about, by email to the order's address
and in the site to its customer. ``key`` names the occasion (a shipment, a
refund, a return): the same occasion told again owes nothing more.
"""

from typing import Any

from notifications.models import Notification
from notifications.services import notification_queue
from orders.models import Order
from shipping.selectors import shipments_for_reference
from shop.sites import shop_url

# The kinds whose message lists the order's shipments with their tracking.
WITH_SHIPMENTS = frozenset({"shipped"})


def order_notify(*, order: Order, kind: str, key: str) -> Notification | None:
    """Owe the ``order.<kind>`` message about ``order`` for occasion ``key``
    (order messages are transactional: always owed)."""
    return notification_queue(
        kind=f"order.{kind}",
        key=f"{order.number}:{key}",
        context=order_notice_context(order, shipments=kind in WITH_SHIPMENTS),
        params={"number": order.number},
        email=order.email,
        user=order.user,
        link=order.get_absolute_url(),
    )


def order_notice_context(order: Order, *, shipments: bool = False) -> dict[str, Any]:
    """What the order templates show: the order, its lines, its page and,
    for a shipment, the parcels with their tracking."""
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "order_url": shop_url(order.get_absolute_url()),
        "shipments": list(shipments_for_reference(reference=order.number)) if shipments else [],
    }
