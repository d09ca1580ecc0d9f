"""Who hears about a payment's outcome: a registry, so that a higher layer
(orders) can react to payments without payments importing it.

``orders`` registers a callback in its ``AppConfig.ready``::

    payment_listeners_register(order_payment_changed)

Each callback is called with the Payment inside the transaction that moved
it to authorized, captured, failed, cancelled, partially refunded or
refunded; whatever path moved it: the test gateway's form, a server-side
check when the shopper returns (``payment_sync``), a capture, cancel or
refund, or a webhook. So the order moves in the same transaction as the
payment's record: a callback that raises undoes both, and the caller fails
(a webhook answers 500 and the gateway delivers it again; the shopper's
return asks the gateway again). Nothing that can fail after commit is the
only path to a paid order. A callback must be idempotent and check the
order's own state (a payment can be reported captured again after a sync).
Callers that hold no order lock take it before the payment's
(``orders.locks.order_lock_for_payment``), so the two never wait on each
other in opposite orders.
"""

from collections.abc import Callable

from payments.models import Payment

type PaymentListener = Callable[[Payment], None]

_listeners: list[PaymentListener] = []
NOTIFIED_STATUSES = frozenset(
    {
        Payment.Status.AUTHORIZED,
        Payment.Status.CAPTURED,
        Payment.Status.FAILED,
        Payment.Status.CANCELLED,
        Payment.Status.PARTIALLY_REFUNDED,
        Payment.Status.REFUNDED,
    }
)


def payment_listeners_register(callback: PaymentListener) -> None:
    """Call ``callback(payment)`` on each change of a payment's outcome."""
    if callback not in _listeners:
        _listeners.append(callback)


def payment_listeners_unregister(callback: PaymentListener) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def payment_listeners() -> list[PaymentListener]:
    return list(_listeners)


def payment_listeners_notify(*, payment: Payment, previous_status: str) -> None:
    """Call the callbacks now, in the caller's transaction, when the status
    changed to one they hear about."""
    if payment.status == previous_status or payment.status not in NOTIFIED_STATUSES:
        return
    for callback in list(_listeners):
        callback(payment)
