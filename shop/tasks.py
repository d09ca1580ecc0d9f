"""Celery tasks of the shop-wide outbox: an id in, one call, retries here."""

from smtplib import SMTPException

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from shop import outbox
from shop.celery import EagerRetryTask


# After commit of whatever queued it. A mail server that is down or slow is
# retried with growing pauses; the row says whether it went out, so a retry
# after a success sends nothing twice.
@shared_task(
    base=EagerRetryTask,
    name="shop.outbound_email_send",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def outbound_email_send(email_id: int) -> bool:
    return outbox.outbound_email_send(email_id=email_id)


@shared_task(base=DjangoTask, name="shop.outbound_emails_resend")
def outbound_emails_resend() -> int:
    """Beat: messages whose task was lost or gave up are queued again."""
    return outbox.outbound_emails_resend()
