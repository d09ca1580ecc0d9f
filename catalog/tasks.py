"""Celery tasks of the catalog: an id in, one service call, retries here."""

from celery import shared_task

from catalog import stock
from shop.celery import EMAIL_RETRIES, ShopTask


# After commit of the stock change; the variant row says whether the alert
# is still owed, so a retry after a success sends nothing twice.
@shared_task(**EMAIL_RETRIES)
def stock_low_alert_send(variant_id: int) -> bool:
    return stock.stock_low_alert_send(variant_id=variant_id)


@shared_task(base=ShopTask)
def stock_low_alerts_resend() -> int:
    """Beat: low-stock alerts whose task was lost (a broker outage) or gave up."""
    return stock.stock_low_alerts_resend()
