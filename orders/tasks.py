"""Celery tasks of orders: an id in, one service call, retries here.

The task that a service queues is defined beside it, so that the service
need not import this module, which imports the services:
``orders.lifecycle.fulfilment`` (a shipment's tracking refresh). It is named
here too, as workers import this module. Emails about orders are the
notifications outbox's (``orders.notices``)."""

from celery import shared_task

from orders import announcements, reminders
from orders.announcements import announcement_batch_send_task as announcement_batch_send
from orders.lifecycle import payment, returns
from orders.lifecycle.fulfilment import shipment_tracking_refresh_task as shipment_tracking_refresh
from shipping.services import shipments_to_track
from shop.celery import ShopTask


@shared_task(base=ShopTask, name="orders.orders_unpaid_expire")
def orders_unpaid_expire() -> int:
    """Beat: unpaid orders whose reservation expired are cancelled."""
    return payment.orders_unpaid_expire()


@shared_task(base=ShopTask, name="orders.orders_complete")
def orders_complete() -> int:
    """Beat: delivered orders past their return window are completed."""
    return returns.orders_complete()


@shared_task(base=ShopTask, name="orders.carts_abandoned_remind")
def carts_abandoned_remind() -> int:
    """Beat: carts left with items get one reminder (to people who opted in)."""
    return reminders.carts_abandoned_remind()


@shared_task(base=ShopTask, name="orders.review_requests_send")
def review_requests_send() -> int:
    """Beat: delivered orders ask for reviews of what they brought."""
    return reminders.review_requests_send()


@shared_task(base=ShopTask, name="orders.announcements_resume")
def announcements_resume() -> int:
    """Beat: announcements whose next batch was lost with the broker go on."""
    return announcements.announcements_resume()


# Celery beat runs this every SHIPPING_TRACKING_POLL_SECONDS.
@shared_task(base=ShopTask, name="orders.shipments_tracking_poll")
def shipments_tracking_poll() -> int:
    """Queue a tracking refresh for every undelivered shipment of the carriers
    that track but send no webhooks. Returns how many."""
    ids = shipments_to_track()
    for shipment_id in ids:
        shipment_tracking_refresh.delay(shipment_id)
    return len(ids)


__all__ = [
    "announcement_batch_send",
    "announcements_resume",
    "carts_abandoned_remind",
    "orders_complete",
    "orders_unpaid_expire",
    "review_requests_send",
    "shipment_tracking_refresh",
    "shipments_tracking_poll",
]
