"""Celery tasks of the catalog: an id in, one service call, retries here.
The low-stock alert is defined beside its service (``catalog.stock``), which
queues it; it is named here too, as workers import this module."""

from celery import shared_task

from catalog import stock
from catalog.stock import stock_low_alert_send_task as stock_low_alert_send
from shop.celery import ShopTask


@shared_task(base=ShopTask)
def stock_low_alerts_resend() -> int:
    """Beat: low-stock alerts whose task was lost (a broker outage) or gave up."""
    return stock.stock_low_alerts_resend()


__all__ = ["stock_low_alert_send", "stock_low_alerts_resend"]
