"""Celery tasks of analytics, on the ``reports`` queue."""

from celery import shared_task

from analytics import rollups, services
from shop.celery import ShopTask


# Beat, daily: events past their retention, and yesterday's visitor key.
@shared_task(base=ShopTask, name="analytics.events_purge")
def events_purge() -> int:
    return services.events_purge()


# Beat, every 15 minutes: today's figures and the two days before.
@shared_task(base=ShopTask, name="analytics.rollups_refresh")
def rollups_refresh() -> int:
    return len(rollups.rollups_refresh())


# Beat, hourly: the scheduled report emails due today (each sent once).
@shared_task(base=ShopTask, name="analytics.scheduled_reports_send")
def scheduled_reports_send() -> int:
    return services.scheduled_reports_send()
