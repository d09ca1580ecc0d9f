"""The order status machine of ARCHITECTURE.md, as data.

>>> can_move(Order.Status.PENDING_PAYMENT, Order.Status.PAID)
True
>>> can_move(Order.Status.SHIPPED, Order.Status.CANCELLED)
False
"""

from orders.models import Order

S = Order.Status

ALLOWED: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.PAYMENT_FAILED, S.CANCELLED}),
    # A late success after a failure is still money received.
    S.PAYMENT_FAILED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

UNPAID = frozenset({S.PENDING_PAYMENT, S.PAYMENT_FAILED})


def can_move(current: str, to: str) -> bool:
    return to in ALLOWED.get(current, frozenset())
