"""Celery tasks of orders: an id in, one service call, retries here."""

from celery import shared_task

from orders import emails, fulfilment, returns, services
from shipping.services import shipments_to_track
from shop.celery import EMAIL_RETRIES, ShopTask


# After commit of the payment; a retry after a success sends nothing twice
# (``confirmation_sent_at``).
@shared_task(name="orders.order_confirmation_send", **EMAIL_RETRIES)
def order_confirmation_send(order_id: int) -> bool:
    return emails.order_confirmation_send(order_id=order_id)


@shared_task(base=ShopTask, name="orders.order_confirmations_resend")
def order_confirmations_resend() -> int:
    """Beat: the paid orders whose confirmation never went out (the broker
    was down after the payment, or every retry failed) are queued again, and
    so are the status emails still owed."""
    return emails.order_confirmations_resend() + emails.order_emails_resend()


@shared_task(base=ShopTask, name="orders.orders_unpaid_expire")
def orders_unpaid_expire() -> int:
    """Beat: unpaid orders whose reservation expired are cancelled."""
    return services.orders_unpaid_expire()


# After commit of a status move (cancelled, shipped, ...): retried like the
# confirmation; the row it sends (``OrderEmail``) says whether it went out.
@shared_task(name="orders.order_email_send", **EMAIL_RETRIES)
def order_email_send(email_id: int) -> bool:
    return emails.order_email_send(email_id=email_id)


@shared_task(base=ShopTask, name="orders.orders_complete")
def orders_complete() -> int:
    """Beat: delivered orders past their return window are completed."""
    return returns.orders_complete()


# A failed refresh is logged by shipping and tried again by the next poll.
@shared_task(base=ShopTask, name="orders.shipment_tracking_refresh")
def shipment_tracking_refresh(shipment_id: int) -> bool:
    return fulfilment.order_shipment_tracking_refresh(shipment_id=shipment_id)


# Celery beat runs this every SHIPPING_TRACKING_POLL_SECONDS.
@shared_task(base=ShopTask, name="orders.shipments_tracking_poll")
def shipments_tracking_poll() -> int:
    """Queue a tracking refresh for every undelivered shipment of the carriers
    that track but send no webhooks. Returns how many."""
    ids = shipments_to_track()
    for shipment_id in ids:
        shipment_tracking_refresh.delay(shipment_id)
    return len(ids)
