"""Carrier webhooks under real concurrent transactions on PostgreSQL: the
same event delivered many times at once is applied once; different events
telling the same tracking events at once store each event once."""

from collections import Counter

import pytest

from shipping.carriers.base import WebhookRejected
from shipping.carriers.easypost import signature_for
from shipping.models import CarrierWebhookEvent, Shipment, TrackingEvent
from shipping.services import carrier_webhook_receive
from tests.concurrency import run_in_threads
from tests.shipping.conftest import WEBHOOK_SECRET
from tests.shipping.factories import ShipmentFactory
from tests.shipping.test_webhooks import DELIVERED, LABEL, OUT, PICKED_UP, _event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _outcome(error: Exception) -> str:
    """A refused delivery counts as the HTTP status the view would answer."""
    return str(error.status) if isinstance(error, WebhookRejected) else type(error).__name__


def _deliver(body: bytes) -> str:
    headers = {"X-Hmac-Signature": signature_for(body, WEBHOOK_SECRET)}
    carrier_webhook_receive(carrier="easypost", body=body, headers=headers)
    return "200"


def test_one_event_delivered_eight_times_at_once_is_applied_once(easypost):
    shipment = ShipmentFactory.create(tracking_number="EZ1000")
    body = _event("evt_1", LABEL, PICKED_UP)

    outcomes = run_in_threads(8, lambda n: _deliver(body), outcome_of=_outcome)

    assert outcomes == Counter({"200": 1, "409": 7})
    assert CarrierWebhookEvent.objects.count() == 1
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2


def test_different_events_telling_the_same_scans_at_once_store_each_scan_once(easypost):
    shipment = ShipmentFactory.create(tracking_number="EZ1000")
    scans = [LABEL, PICKED_UP, OUT, DELIVERED]
    bodies = [_event(f"evt_{n}", *scans[: n % 4 + 1]) for n in range(8)]

    outcomes = run_in_threads(8, lambda n: _deliver(bodies[n]), outcome_of=_outcome)

    assert outcomes == Counter({"200": 8})
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 4
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
