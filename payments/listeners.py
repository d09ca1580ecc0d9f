"""Who hears about a payment's outcome: a registry, so that a higher layer
(orders) can react to payments without payments importing it.

``orders`` registers a callback in its ``AppConfig.ready``::

    payment_listeners_register(order_payment_changed)

Each callback is called with the Payment (freshly loaded) after the
transaction that moved it to authorized, captured, failed, cancelled,
partially refunded or refunded has committed; whatever path moved it: the
test gateway's form, a server-side check when the shopper returns
(``payment_sync``), a capture, cancel or refund, or a webhook. It runs once
per change, after commit, each callback on its own (``robust``: one that
raises is logged and does not stop the others or undo the payment, which is
the gateway's truth). A callback must therefore be idempotent and check the
order's own state (a payment can be reported captured again after a sync),
and whoever owns the order should also reconcile from ``payment_sync`` when
the shopper returns, in case a callback failed.
"""

from collections.abc import Callable

from payments.models import Payment
from shop.listeners import AfterCommitListeners

type PaymentListener = Callable[[Payment], None]

_listeners = AfterCommitListeners(Payment)
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
    """Call ``callback(payment)`` after each change of a payment's outcome."""
    _listeners.register(callback)


def payment_listeners_unregister(callback: PaymentListener) -> None:
    _listeners.unregister(callback)


def payment_listeners() -> list[PaymentListener]:
    return _listeners.all()


def payment_listeners_notify(*, payment: Payment, previous_status: str) -> None:
    """Schedule the callbacks for after commit, when the status changed to one
    they hear about."""
    if payment.status == previous_status or payment.status not in NOTIFIED_STATUSES:
        return
    _listeners.notify(payment)
