"""Tracking: applying carrier updates to a shipment, and the periodic poll
for carriers that send no webhooks."""

from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings

from orders import tasks
from shipping.carriers.base import TrackingEventData, TrackingUpdate
from shipping.models import Shipment
from shipping.services import shipment_tracking_apply, shipment_tracking_refresh
from tests.shipping.easypost_standin import tracker
from tests.shipping.factories import ShipmentFactory

pytestmark = pytest.mark.django_db

Status = Shipment.Status


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 5, day, hour, tzinfo=UTC)


def test_applying_an_update_twice_stores_each_event_once():
    shipment = ShipmentFactory.create()
    update = TrackingUpdate(
        tracking_number=shipment.tracking_number,
        events=(
            TrackingEventData(_at(1, 9), Status.PENDING, "Label created"),
            TrackingEventData(_at(1, 17), Status.IN_TRANSIT, "Picked up", "Berlin"),
            TrackingEventData(
                _at(1, 17), Status.IN_TRANSIT, "Picked up", "Berlin"
            ),  # told twice in one update
        ),
    )

    assert shipment_tracking_apply(shipment=shipment, update=update) is True
    assert shipment_tracking_apply(shipment=shipment, update=update) is False

    assert shipment.events.count() == 2


def test_the_status_follows_the_latest_event_by_time_not_by_arrival():
    shipment = ShipmentFactory.create()
    shipment_tracking_apply(
        shipment=shipment,
        update=TrackingUpdate(
            shipment.tracking_number, events=(TrackingEventData(_at(3, 12), Status.DELIVERED),)
        ),
    )
    shipment_tracking_apply(
        shipment=shipment,
        update=TrackingUpdate(
            shipment.tracking_number, events=(TrackingEventData(_at(2, 8), Status.IN_TRANSIT),)
        ),
    )

    shipment.refresh_from_db()
    assert shipment.status == Status.DELIVERED


def test_events_without_a_status_do_not_move_the_shipment():
    shipment = ShipmentFactory.create(status=Status.IN_TRANSIT)
    shipment_tracking_apply(
        shipment=shipment,
        update=TrackingUpdate(
            shipment.tracking_number,
            events=(
                TrackingEventData(_at(1, 8), Status.IN_TRANSIT, "Departed"),
                TrackingEventData(_at(1, 9), "", "Weather delay notice"),
            ),
        ),
    )

    shipment.refresh_from_db()
    assert shipment.status == Status.IN_TRANSIT
    assert shipment.events.count() == 2


@pytest.fixture
def polled(easypost, settings):
    """EasyPost without a webhook secret: its tracking is polled."""
    settings.EASYPOST_WEBHOOK_SECRET = ""
    return easypost


def test_the_poll_refreshes_undelivered_shipments_of_carriers_without_webhooks(polled):
    moving = ShipmentFactory.create(tracking_number="EZ1", status=Status.PENDING)
    polled.trackers["EZ1"] = tracker(
        "EZ1",
        [("2024-05-01T09:00:00Z", "pre_transit", "Label"), ("2024-05-01T17:00:00Z", "in_transit", "Left")],
    )
    ShipmentFactory.create(tracking_number="EZ2", status=Status.DELIVERED)
    ShipmentFactory.create(tracking_number="", status=Status.PENDING)
    ShipmentFactory.create(carrier="table", tracking_number="TBL1")

    assert tasks.shipments_tracking_poll() == 1

    moving.refresh_from_db()
    assert moving.status == Status.IN_TRANSIT
    assert moving.carrier_reference == "trk_standin1"
    assert moving.tracked_at is not None
    assert [r.body["tracker"]["tracking_code"] for r in polled.requests_to("POST", "/v2/trackers")] == ["EZ1"]

    assert tasks.shipments_tracking_poll() == 1  # still moving: asked again, by its tracker id now
    assert len(polled.requests_to("GET", "/v2/trackers/trk_standin1")) == 1
    assert moving.events.count() == 2


def test_carriers_with_webhooks_are_not_polled(easypost):
    ShipmentFactory.create(tracking_number="EZ1")

    assert tasks.shipments_tracking_poll() == 0
    assert easypost.requests == []


def test_a_failed_poll_is_logged_and_changes_nothing(polled, caplog):
    shipment = ShipmentFactory.create(tracking_number="EZ1")
    polled.mode = "error"

    assert shipment_tracking_refresh(shipment_id=shipment.pk) is False

    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracked_at) == (Status.PENDING, None)
    assert "EasyPost answered 500." in caplog.text


def test_the_poll_is_scheduled_with_celery_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["shipping-tracking-poll"]

    assert entry == {
        "task": "orders.shipments_tracking_poll",
        "schedule": django_settings.SHIPPING_TRACKING_POLL_SECONDS,
    }
    assert tasks.shipments_tracking_poll.name == entry["task"]


def test_a_status_change_is_reported_once_and_a_repeat_is_not():
    """The caller (orders) moves the order when the status changed."""
    shipment = ShipmentFactory.create()
    update = TrackingUpdate(
        shipment.tracking_number, events=(TrackingEventData(_at(2, 10), Status.DELIVERED),)
    )

    heard = [shipment_tracking_apply(shipment=shipment, update=update) for _ in range(2)]

    shipment.refresh_from_db()
    assert heard == [True, False]
    assert shipment.status == Status.DELIVERED
