"""Celery tasks of shipping (queue ``carriers``): plain values in, one service call.

Tracking refreshes and the poll are orders' tasks (``orders.tasks``): the
order moves with its shipments' news."""

from celery import shared_task

from shipping import services
from shop.celery import ShopTask


# No retries: a quote is wanted now or not at all; a failure falls back to
# table rates and the next page asks again once the outage window has passed.
@shared_task(base=ShopTask)
def carrier_rates_fetch(
    carrier: str, destination: dict[str, str], weight_grams: int, timeout: int | None = None
) -> bool:
    return services.carrier_rates_fetch(
        carrier=carrier, destination=destination, weight_grams=weight_grams, timeout=timeout
    )
