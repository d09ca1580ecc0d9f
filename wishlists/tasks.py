"""Celery tasks of wishlists: beat's alert jobs, each one service call."""

from celery import shared_task

from shop.celery import ShopTask
from wishlists import alerts, services


# Beat, every minute: people waiting for a variant whose stock came back.
@shared_task(base=ShopTask, name="wishlists.stock_alerts_send")
def stock_alerts_send() -> int:
    return alerts.stock_alerts_send()


# Beat, hourly: wished items whose price fell.
@shared_task(base=ShopTask, name="wishlists.price_drops_alert")
def price_drops_alert() -> int:
    return alerts.price_drops_alert()


# Beat, daily: guests' favourites untouched for 60 days (their session is gone).
@shared_task(base=ShopTask, name="wishlists.wishlists_guests_purge")
def wishlists_guests_purge() -> int:
    return services.wishlists_guests_purge()
