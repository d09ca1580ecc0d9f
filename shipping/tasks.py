"""Celery tasks of shipping (queue ``carriers``). The live-rates fetch is
defined beside ``shipping.live.live_rates``, which queues it; it is named
here, as workers import this module. Tracking refreshes and the poll are
orders' tasks (``orders.tasks``): the order moves with its shipments' news."""

from shipping.live import carrier_rates_fetch_task as carrier_rates_fetch

__all__ = ["carrier_rates_fetch"]
