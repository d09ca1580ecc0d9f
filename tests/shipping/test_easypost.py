"""The EasyPost adapter against a local stand-in of its API: the documented
success answers, and each way the carrier can fail (a malformed reply, a
500, a timeout, a refused key, nobody listening)."""

import base64
import socket
import time
from decimal import Decimal

import pytest

from shipping.carriers import carrier_get
from shipping.carriers.base import (
    CarrierAuthError,
    CarrierBadResponse,
    CarrierNotConfigured,
    CarrierRequestError,
    CarrierTimeout,
    CarrierUnavailable,
)
from shipping.models import Shipment
from shipping.quotes import Destination, Parcel
from tests.shipping.easypost_standin import API_KEY, tracker

NEW_YORK = Destination(
    country_code="US",
    country_area="NY",
    postal_code="10001",
    city="NEW YORK",
    street_address_1="350 5th Ave",
    full_name="Ada Lovelace",
)
PARCEL = Parcel(weight_grams=1000, items=2)


def _rates():
    return carrier_get("easypost").rates(destination=NEW_YORK, parcel=PARCEL, order_value=Decimal(0))


def test_rates_are_quoted_in_the_shop_currency_cheapest_first(easypost, settings):
    options = _rates()

    assert [(o.id, o.name, o.price, o.delivery_estimate, o.tax_class) for o in options] == [
        ("easypost:USPS:Priority", "USPS Priority", Decimal("7.33"), "2 business days", "standard"),
        ("easypost:USPS:Express", "USPS Express", Decimal("49.60"), "", "standard"),
    ]  # UPS answered in USD, not the shop's EUR: left out


def test_the_rate_request_is_authenticated_and_describes_the_parcel_as_documented(easypost):
    _rates()

    [request] = easypost.requests_to("POST", "/v2/shipments")
    shipment = request.body["shipment"]
    assert shipment["parcel"] == {"weight": 35.3}  # 1000 g in ounces, rounded up
    assert shipment["options"] == {"currency": "EUR"}
    assert shipment["to_address"]["zip"] == "10001"
    assert shipment["to_address"]["state"] == "NY"
    assert shipment["to_address"]["country"] == "US"
    assert shipment["from_address"]["street1"] == "Unter den Linden 1"


def test_a_malformed_reply_is_a_bad_response(easypost):
    easypost.mode = "malformed"

    with pytest.raises(CarrierBadResponse, match="without JSON"):
        _rates()


def test_a_rate_amount_that_is_not_a_decimal_string_is_a_bad_response(easypost):
    easypost.rates = [("USPS", "Priority", 7.33, None, 2)]

    with pytest.raises(CarrierBadResponse, match="without carrier, service or amount"):
        _rates()


def test_a_server_error_means_the_carrier_is_unavailable(easypost):
    easypost.mode = "error"

    with pytest.raises(CarrierUnavailable, match="answered 500"):
        _rates()


def test_a_slow_carrier_times_out_after_the_configured_timeout(easypost, settings):
    easypost.mode = "slow"
    easypost.delay = 2
    settings.EASYPOST_TIMEOUT_SECONDS = 0.3

    started = time.monotonic()
    with pytest.raises(CarrierTimeout):
        _rates()

    assert time.monotonic() - started < 1.5


def test_a_caller_may_cap_the_timeout_below_the_setting(easypost, settings):
    easypost.mode = "slow"
    easypost.delay = 3
    settings.EASYPOST_TIMEOUT_SECONDS = 30

    started = time.monotonic()
    with pytest.raises(CarrierTimeout, match="within 1 s"):
        carrier_get("easypost", timeout=1).rates(destination=NEW_YORK, parcel=PARCEL, order_value=Decimal(0))

    assert time.monotonic() - started < 2.5


def test_a_bad_key_is_refused_with_401(easypost, settings):
    settings.EASYPOST_API_KEY = "EZTK-wrong"

    with pytest.raises(CarrierAuthError, match="401"):
        _rates()
    [request] = easypost.requests
    assert request.path == "/v2/shipments"


def test_the_key_is_sent_as_basic_auth_user(easypost):
    assert base64.b64encode(f"{API_KEY}:".encode())  # the stand-in accepts exactly this
    _rates()

    assert len(easypost.requests) == 1


def test_a_carrier_nobody_answers_for_is_unavailable(easypost, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EASYPOST_API_BASE = f"http://127.0.0.1:{port}/v2"

    with pytest.raises(CarrierUnavailable, match="could not be reached"):
        _rates()


def test_a_refused_request_carries_easyposts_message(easypost):
    incomplete = Destination(country_code="", postal_code="10001")

    with pytest.raises(CarrierRequestError, match="Missing parameters"):
        carrier_get("easypost").rates(destination=incomplete, parcel=PARCEL, order_value=Decimal(0))


@pytest.mark.parametrize("missing", ["EASYPOST_API_KEY", "SHIPPING_ORIGIN"])
def test_without_key_or_origin_it_is_not_configured_and_calls_nobody(easypost, settings, missing):
    setattr(settings, missing, {} if missing == "SHIPPING_ORIGIN" else "")

    assert not carrier_get("easypost").is_configured()
    with pytest.raises(CarrierNotConfigured):
        _rates()
    assert easypost.requests == []


def test_a_label_is_bought_for_the_chosen_service(easypost):
    label = carrier_get("easypost").label_create(
        destination=NEW_YORK, parcel=PARCEL, service="USPS:Express", reference="100042"
    )

    assert label.tracking_number.startswith("9405500")
    assert label.label_url.endswith(".png")
    assert label.tracking_url.startswith("https://track.easypost.com/trk_")
    assert label.carrier_reference.startswith("trk_")
    [create] = easypost.requests_to("POST", "/v2/shipments")
    assert create.body["shipment"]["reference"] == "100042"
    [buy] = [r for r in easypost.requests if r.path.endswith("/buy")]
    assert buy.body["rate"]["id"].startswith("rate_")


def test_a_label_for_a_service_not_offered_is_refused(easypost):
    with pytest.raises(CarrierRequestError, match="does not offer DHL:Express"):
        carrier_get("easypost").label_create(
            destination=NEW_YORK, parcel=PARCEL, service="DHL:Express", reference="100042"
        )


def test_tracking_is_read_from_the_tracker(easypost):
    easypost.trackers["EZ1"] = tracker(
        "EZ1",
        [
            ("2024-01-02T10:00:00Z", "pre_transit", "Label created"),
            ("2024-01-03T08:30:00Z", "in_transit", "Left"),
        ],
        tracker_id="trk_ez1",
    )

    update = carrier_get("easypost").tracking_fetch(
        tracking_number="EZ1", carrier_reference="", service="USPS:X"
    )

    assert update.carrier_reference == "trk_ez1"
    assert update.status == Shipment.Status.IN_TRANSIT
    assert [(e.occurred_at.isoformat(), e.status, e.description, e.place) for e in update.events] == [
        ("2024-01-02T10:00:00+00:00", "pending", "Label created", "HOUSTON, TX, 77063"),
        ("2024-01-03T08:30:00+00:00", "in_transit", "Left", "HOUSTON, TX, 77063"),
    ]
    [request] = easypost.requests_to("POST", "/v2/trackers")
    assert request.body == {"tracker": {"tracking_code": "EZ1", "carrier": "USPS"}}
    carrier_get("easypost").tracking_fetch(tracking_number="EZ1", carrier_reference="trk_ez1", service="")
    assert len(easypost.requests_to("GET", "/v2/trackers/trk_ez1")) == 1
