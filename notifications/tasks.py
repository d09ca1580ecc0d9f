"""Celery tasks of notifications: an id in, one call, retries here.

``notification_send`` is defined beside its service (``notifications.services``
queues it) and named here too, as workers import this module."""

from celery import shared_task

from notifications import services
from notifications.services import notification_send_task as notification_send
from shop.celery import ShopTask


# Celery beat: emails whose task was lost (a broker outage) or gave up.
@shared_task(base=ShopTask, name="notifications.notifications_resend")
def notifications_resend() -> int:
    return services.notifications_resend()


__all__ = ["notification_send", "notifications_resend"]
