"""Carrier tracking webhooks at /shipping/webhooks/<carrier>/: only calls
signed with our secret change anything; a replayed event is refused; the
same tracking event told twice is stored once; events arriving out of order
leave the shipment at its latest status by time."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from shipping.carriers.easypost import signature_for
from shipping.models import CarrierWebhookEvent, Shipment, TrackingEvent
from tests.shipping.conftest import WEBHOOK_SECRET
from tests.shipping.easypost_standin import tracker
from tests.shipping.factories import ShipmentFactory

pytestmark = pytest.mark.django_db

URL = "/shipping/webhooks/easypost/"
Status = Shipment.Status

LABEL = ("2024-05-01T09:00:00Z", "pre_transit", "Shipping label created")
PICKED_UP = ("2024-05-01T17:00:00Z", "in_transit", "Picked up")
OUT = ("2024-05-02T07:00:00Z", "out_for_delivery", "Out for delivery")
DELIVERED = ("2024-05-02T12:30:00Z", "delivered", "Delivered, front door")


def _event(event_id: str, *details, code: str = "EZ1000") -> bytes:
    body = {
        "id": event_id,
        "object": "Event",
        "description": "tracker.updated",
        "mode": "test",
        "status": "pending",
        "created_at": "2024-05-02T12:31:00Z",
        "result": tracker(code, list(details), tracker_id="trk_ez1000"),
    }
    return json.dumps(body).encode()


def _post(body: bytes, *, signature: str | None = None, url: str = URL):
    client = Client(enforce_csrf_checks=True)
    headers = (
        {} if signature == "" else {"X-Hmac-Signature": signature or signature_for(body, WEBHOOK_SECRET)}
    )
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def shipment(easypost):
    return ShipmentFactory.create(tracking_number="EZ1000", status=Status.PENDING)


def _state(shipment: Shipment) -> tuple[str, list[str], int]:
    shipment.refresh_from_db()
    return (
        shipment.status,
        list(shipment.events.order_by("occurred_at").values_list("description", flat=True)),
        CarrierWebhookEvent.objects.count(),
    )


def test_the_url_is_the_one_of_the_contract():
    assert reverse("shipping:webhook", kwargs={"carrier": "easypost"}) == URL


def test_a_signed_event_updates_the_shipment(shipment):
    response = _post(_event("evt_1", LABEL, PICKED_UP))

    assert response.status_code == 200
    assert _state(shipment) == (Status.IN_TRANSIT, ["Shipping label created", "Picked up"], 1)
    assert shipment.carrier_reference == "trk_ez1000"
    assert shipment.tracking_url == "https://track.easypost.com/trk_ez1000"
    event = shipment.events.get(description="Picked up")
    assert (event.place, event.status, event.occurred_at.isoformat()) == (
        "HOUSTON, TX, 77063",
        Status.IN_TRANSIT,
        "2024-05-01T17:00:00+00:00",
    )


def test_a_forged_signature_is_refused_and_changes_nothing(shipment):
    body = _event("evt_1", LABEL, DELIVERED)

    response = _post(body, signature=signature_for(body, "not-our-secret"))

    assert response.status_code == 400
    assert response.content == b"The signature does not match."
    assert _state(shipment) == (Status.PENDING, [], 0)


def test_a_missing_signature_is_refused(shipment):
    assert _post(_event("evt_1", DELIVERED), signature="").status_code == 400
    assert _state(shipment) == (Status.PENDING, [], 0)


def test_a_tampered_body_is_refused_and_changes_nothing(shipment):
    genuine = _event("evt_1", LABEL)
    tampered = _event("evt_1", LABEL, DELIVERED)

    response = _post(tampered, signature=signature_for(genuine, WEBHOOK_SECRET))

    assert response.status_code == 400
    assert _state(shipment) == (Status.PENDING, [], 0)


def test_a_replayed_event_is_refused_and_changes_nothing(shipment):
    first = _event("evt_1", LABEL, PICKED_UP)
    assert _post(first).status_code == 200
    assert _post(_event("evt_2", LABEL, PICKED_UP, OUT, DELIVERED)).status_code == 200
    shipment.events.filter(description="Picked up").delete()  # so a replay would show by adding it back
    before = _state(shipment)

    response = _post(first)

    assert response.status_code == 409
    assert response.content == b"This event was received before."
    assert (
        _state(shipment)
        == before
        == (
            Status.DELIVERED,
            ["Shipping label created", "Out for delivery", "Delivered, front door"],
            2,
        )
    )


def test_the_same_tracking_events_in_several_calls_are_stored_once(shipment):
    _post(_event("evt_1", LABEL))
    _post(_event("evt_2", LABEL, PICKED_UP))
    _post(_event("evt_3", LABEL, PICKED_UP, OUT))

    assert _state(shipment) == (
        Status.OUT_FOR_DELIVERY,
        ["Shipping label created", "Picked up", "Out for delivery"],
        3,
    )
    assert TrackingEvent.objects.count() == 3


def test_events_arriving_out_of_order_leave_the_latest_status_by_time(shipment):
    assert _post(_event("evt_2", DELIVERED)).status_code == 200
    assert _post(_event("evt_1", LABEL, PICKED_UP)).status_code == 200

    status, descriptions, _received = _state(shipment)
    assert status == Status.DELIVERED
    assert descriptions == ["Shipping label created", "Picked up", "Delivered, front door"]


def test_an_event_for_a_tracking_number_we_do_not_know_is_accepted_and_changes_nothing(shipment):
    response = _post(_event("evt_9", DELIVERED, code="SOMEONE-ELSES"))

    assert response.status_code == 200
    assert _state(shipment) == (Status.PENDING, [], 1)


def test_a_signed_event_of_another_kind_is_recorded_and_ignored(shipment):
    body = json.dumps(
        {"id": "evt_b1", "object": "Event", "description": "batch.created", "result": {}}
    ).encode()

    assert _post(body).status_code == 200
    assert _state(shipment) == (Status.PENDING, [], 1)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"description": "tracker.updated"}',
        json.dumps(
            {
                "id": "evt_x",
                "description": "tracker.updated",
                "result": {"tracking_details": [{"datetime": "yesterday"}]},
            }
        ).encode(),
    ],
)
def test_a_signed_but_malformed_body_is_refused(shipment, body):
    assert _post(body).status_code == 400
    assert _state(shipment) == (Status.PENDING, [], 0)


def test_an_unknown_or_disabled_carrier_is_not_found(easypost, settings):
    body = _event("evt_1", LABEL)

    assert _post(body, url="/shipping/webhooks/nope/").status_code == 404
    assert _post(body, url="/shipping/webhooks/table/").status_code == 404
    settings.SHIPPING_CARRIERS = ["table"]
    assert _post(body).status_code == 404


def test_without_a_webhook_secret_easypost_webhooks_are_not_taken(shipment, settings):
    settings.EASYPOST_WEBHOOK_SECRET = ""

    assert _post(_event("evt_1", DELIVERED), signature="hmac-sha256-hex=").status_code == 404
    assert _state(shipment) == (Status.PENDING, [], 0)


def test_only_post_is_allowed(easypost):
    assert Client().get(URL).status_code == 405
