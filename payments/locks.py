"""Row locks of payments: the one place that takes ``SELECT ... FOR UPDATE``
on payments' rows.

Each service locks at most one payment. The orders' payment flow locks the
payment (``payment_status_lock``) before a webhook's event row, and the event
is locked only by ``webhook_event_apply``, which then locks the same payment
again (already held), so two transactions cannot deadlock. A service that holds the payment's lock may
call the gateway: the lock is what makes a double click wait for the first
click's answer instead of asking the gateway twice. On SQLite
``select_for_update`` is a no-op; SQLite serialises writers anyway.
"""

from payments.models import Payment, WebhookEvent


def payment_lock(*, payment_id: int) -> Payment:
    """Lock this payment until the end of the current transaction and return
    it as it is now. Must run inside ``transaction.atomic``."""
    return Payment.objects.select_for_update().get(pk=payment_id)


def payment_lock_live(*, order_reference: str) -> Payment | None:
    """Lock the order's payment that is not cancelled (there is at most one),
    if any."""
    return (
        Payment.objects.select_for_update()
        .filter(order_reference=order_reference)
        .exclude(status=Payment.Status.CANCELLED)
        .order_by("pk")
        .first()
    )


def payment_lock_by_reference(*, gateway: str, gateway_reference: str) -> Payment | None:
    return (
        Payment.objects.select_for_update()
        .filter(gateway=gateway, gateway_reference=gateway_reference)
        .first()
    )


def webhook_event_lock(*, event_id: int) -> WebhookEvent:
    """Lock a recorded event: concurrent deliveries of it apply it one at a time."""
    return WebhookEvent.objects.select_for_update().get(pk=event_id)


def payment_status_lock(*, payment_id: int) -> str:
    """Lock the payment and say its status: what the next move starts from.
    Two moves at once (a double click) queue here, so the second sees the
    first one's result and its caller hears of a change once."""
    return str(Payment.objects.select_for_update().values_list("status", flat=True).get(pk=payment_id))
