"""Carrier webhooks under real concurrent transactions on PostgreSQL: the
same event delivered many times at once is applied once; different events
telling the same tracking events at once store each event once."""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connections

from shipping.carriers.base import WebhookRejected
from shipping.carriers.easypost import signature_for
from shipping.models import CarrierWebhookEvent, Shipment, TrackingEvent
from shipping.services import carrier_webhook_receive
from tests.shipping.conftest import WEBHOOK_SECRET
from tests.shipping.factories import ShipmentFactory
from tests.shipping.test_webhooks import DELIVERED, LABEL, OUT, PICKED_UP, _event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_in_threads(count: int, work: Callable[[int], str]) -> Counter[str]:
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = work(n)
        except WebhookRejected as rejected:
            outcome = str(rejected.status)
        except Exception as error:  # Counted, and the test asserts on the counts.
            outcome = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def _deliver(body: bytes) -> str:
    headers = {"X-Hmac-Signature": signature_for(body, WEBHOOK_SECRET)}
    carrier_webhook_receive(carrier="easypost", body=body, headers=headers)
    return "200"


def test_one_event_delivered_eight_times_at_once_is_applied_once(easypost):
    shipment = ShipmentFactory.create(tracking_number="EZ1000")
    body = _event("evt_1", LABEL, PICKED_UP)

    outcomes = _run_in_threads(8, lambda n: _deliver(body))

    assert outcomes == Counter({"200": 1, "409": 7})
    assert CarrierWebhookEvent.objects.count() == 1
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2


def test_different_events_telling_the_same_scans_at_once_store_each_scan_once(easypost):
    shipment = ShipmentFactory.create(tracking_number="EZ1000")
    scans = [LABEL, PICKED_UP, OUT, DELIVERED]
    bodies = [_event(f"evt_{n}", *scans[: n % 4 + 1]) for n in range(8)]

    outcomes = _run_in_threads(8, lambda n: _deliver(bodies[n]))

    assert outcomes == Counter({"200": 8})
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 4
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
