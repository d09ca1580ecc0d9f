"""Celery tasks of shipping (queue ``carriers``): plain values in, one service call."""

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


# A failed refresh is logged by the service and tried again by the next poll.
@shared_task(base=ShopTask)
def shipment_tracking_refresh(shipment_id: int) -> bool:
    return services.shipment_tracking_refresh(shipment_id=shipment_id)


# Celery beat runs this every SHIPPING_TRACKING_POLL_SECONDS.
@shared_task(base=ShopTask)
def shipments_tracking_poll() -> int:
    return services.shipments_tracking_poll()
