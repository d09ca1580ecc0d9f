"""Celery tasks of the shop-wide outbox: an id in, one call, retries here."""

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from shop import outbox
from shop.celery import EMAIL_RETRIES


# After commit of whatever queued it; the row says whether it went out.
@shared_task(name="shop.outbound_email_send", **EMAIL_RETRIES)
def outbound_email_send(email_id: int) -> bool:
    return outbox.outbound_email_send(email_id=email_id)


@shared_task(base=DjangoTask, name="shop.outbound_emails_resend")
def outbound_emails_resend() -> int:
    """Beat: messages whose task was lost or gave up are queued again."""
    return outbox.outbound_emails_resend()
