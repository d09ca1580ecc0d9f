"""Live carrier rates in the cache: the keys, the bounded wait of a page, and
the outage marker that makes a failing carrier cost one log line and no
waiting until ``SHIPPING_CARRIER_RETRY_SECONDS`` have passed.

A page never calls a carrier itself: it asks a Celery task (queue
``carriers``) to fetch the rates into the cache and waits for them at most
``SHIPPING_LIVE_QUOTE_WAIT_SECONDS``.
"""

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from shipping.carriers import UnknownCarrier, carrier_get
from shipping.carriers.base import Carrier, CarrierError
from shipping.quotes import Destination, Parcel, ShippingOption
from shop.celery import ShopTask

logger = logging.getLogger("shipping")

# How often a waiting page looks into the cache.
POLL_SECONDS = 0.05
# The destination fields a carrier prices by (the name and phone do not matter).
_PRICED_FIELDS = (
    "country_code",
    "country_area",
    "postal_code",
    "city",
    "street_address_1",
    "street_address_2",
)


def rates_key(carrier: str, destination: Destination, parcel: Parcel) -> str:
    fields = destination.as_dict()
    raw = json.dumps(
        [carrier, settings.SHOP_CURRENCY, parcel.weight_grams, [fields[name] for name in _PRICED_FIELDS]]
    )
    return f"shipping:rates:{carrier}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def _pending_key(key: str) -> str:
    return f"{key}:pending"


def _down_key(carrier: str) -> str:
    return f"shipping:down:{carrier}"


def rates_cached(key: str) -> list[ShippingOption] | None:
    data: Any = cache.get(key)
    if not isinstance(data, list):
        return None
    return [ShippingOption.from_data(item) for item in data]


def rates_store(key: str, options: list[ShippingOption]) -> None:
    cache.set(key, [option.to_data() for option in options], timeout=settings.SHIPPING_QUOTE_CACHE_SECONDS)


def fetch_claim(key: str) -> bool:
    """True for the one caller that should start a fetch for ``key``; the
    others wait for its result."""
    return bool(cache.add(_pending_key(key), 1, timeout=settings.SHIPPING_CARRIER_RETRY_SECONDS))


def fetch_release(key: str) -> None:
    cache.delete(_pending_key(key))


def carrier_is_down(carrier: str) -> bool:
    return cache.get(_down_key(carrier)) is not None


def carrier_failure_note(carrier: str, reason: str) -> None:
    """Mark the carrier as failing for ``SHIPPING_CARRIER_RETRY_SECONDS`` and
    log it, once per such window however many pages hit the failure."""
    if cache.add(_down_key(carrier), reason, timeout=settings.SHIPPING_CARRIER_RETRY_SECONDS):
        logger.warning(
            "Live rates from %s failed: %s Table rates are shown for the next %s s.",
            carrier,
            reason,
            settings.SHIPPING_CARRIER_RETRY_SECONDS,
        )


def rates_wait(key: str, *, carrier: str, seconds: Any) -> list[ShippingOption] | None:
    """The rates under ``key`` once they arrive, or None after ``seconds`` or
    as soon as the carrier is marked down."""
    deadline = time.monotonic() + seconds
    while True:
        options = rates_cached(key)
        if options is not None:
            return options
        if carrier_is_down(carrier) or time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def live_rates(*, carrier: Carrier, destination: Destination, parcel: Parcel) -> list[ShippingOption] | None:
    """The carrier's rates from the cache, or fetched by the task within the
    page's wait; None when they cannot be had now (the failure is noted)."""
    key = rates_key(carrier.name, destination, parcel)
    cached = rates_cached(key)
    if cached is not None:
        return cached
    if carrier_is_down(carrier.name):
        return None
    if not carrier.is_configured():
        carrier_failure_note(carrier.name, "it is not configured.")
        return None
    wait = settings.SHIPPING_LIVE_QUOTE_WAIT_SECONDS
    if fetch_claim(key):
        # Eager tasks (no broker) run here, in the page: cap their timeout.
        cap = wait if carrier_rates_fetch_task.app.conf.task_always_eager else None
        try:
            carrier_rates_fetch_task.delay(
                carrier=carrier.name,
                destination=destination.as_dict(),
                weight_grams=parcel.weight_grams,
                timeout=cap,
            )
        except Exception as exc:  # a broker outage must not break the page
            fetch_release(key)
            carrier_failure_note(carrier.name, f"the task could not be queued ({type(exc).__name__}).")
            return None
    options = rates_wait(key, carrier=carrier.name, seconds=wait)
    if options is None:
        carrier_failure_note(carrier.name, f"no answer within {wait} s.")
    return options


def carrier_rates_fetch(
    *, carrier: str, destination: Mapping[str, str], weight_grams: int, timeout: int | None = None
) -> bool:
    """Ask a live carrier for rates and put them in the cache (run by
    ``carrier_rates_fetch_task``). A failure marks the carrier down, logged once."""
    target = Destination(**destination)
    parcel = Parcel(weight_grams=weight_grams)
    key = rates_key(carrier, target, parcel)
    try:
        adapter = carrier_get(carrier, timeout=timeout)
        options = adapter.rates(destination=target, parcel=parcel, order_value=Decimal(0))
    except UnknownCarrier:
        carrier_failure_note(carrier, "it is not enabled.")
        return False
    except CarrierError as exc:
        carrier_failure_note(carrier, exc.message)
        return False
    finally:
        fetch_release(key)
    rates_store(key, options)
    return True


# No retries: a quote is wanted now or not at all; a failure falls back to
# table rates and the next page asks again once the outage window has passed.
# Defined beside ``live_rates``, which queues it, not in tasks.py.
@shared_task(base=ShopTask, name="shipping.tasks.carrier_rates_fetch")
def carrier_rates_fetch_task(
    carrier: str, destination: dict[str, str], weight_grams: int, timeout: int | None = None
) -> bool:
    return carrier_rates_fetch(
        carrier=carrier, destination=destination, weight_grams=weight_grams, timeout=timeout
    )
