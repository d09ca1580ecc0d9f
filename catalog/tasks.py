"""Celery tasks of the catalog: an id in, one service call, retries here."""

from smtplib import SMTPException

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from catalog import stock
from shop.celery import EagerRetryTask


# A mail server that is down or slow is worth retrying (with growing pauses);
# anything else is a bug and fails at once.
@shared_task(
    base=EagerRetryTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def stock_low_alert_send(variant_id: int) -> bool:
    return stock.stock_low_alert_send(variant_id=variant_id)


@shared_task(base=DjangoTask)
def stock_low_alerts_resend() -> int:
    """Beat: low-stock alerts whose task was lost (a broker outage) or gave up."""
    return stock.stock_low_alerts_resend()
