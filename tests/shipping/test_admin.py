"""The shipping admin: zones with their methods, methods with their bands,
shipments with lines and events; the pages load and the forms check input."""

from decimal import Decimal

import pytest

from shipping.models import RateBand, ShippingMethod, ShippingZone
from tests.shipping.factories import ShipmentFactory, ShippingMethodFactory, ShippingZoneFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/shipping/shippingzone/",
        "/admin/shipping/shippingzone/add/",
        "/admin/shipping/shippingmethod/",
        "/admin/shipping/shippingmethod/add/",
        "/admin/shipping/shipment/",
        "/admin/shipping/shipment/add/",
        "/admin/shipping/carrierwebhookevent/",
    ],
)
def test_admin_pages_load(staff_client, url):
    method = ShippingMethodFactory.create(kind="weight_bands", bands=[("0", "1000", "4.90")])
    shipment = ShipmentFactory.create()
    shipment.lines.create(sku="SKU-1", title="Shirt", quantity=1)

    assert staff_client.get(url).status_code == 200
    assert staff_client.get(f"/admin/shipping/shippingzone/{method.zone_id}/change/").status_code == 200
    assert staff_client.get(f"/admin/shipping/shippingmethod/{method.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/shipping/shipment/{shipment.pk}/change/").status_code == 200


def _zone_form(**changes):
    data = {
        "name": "Islands",
        "countries": ["DE"],
        "postcode_patterns": " 18565 \n\n25846-25849",
        "position": "1",
        "methods-TOTAL_FORMS": "0",
        "methods-INITIAL_FORMS": "0",
        "methods-MIN_NUM_FORMS": "0",
        "methods-MAX_NUM_FORMS": "1000",
    }
    return {**data, **changes}


def test_a_zone_is_saved_with_its_countries_and_tidy_patterns(staff_client):
    response = staff_client.post("/admin/shipping/shippingzone/add/", _zone_form(countries=["DE", "AT"]))

    assert response.status_code == 302
    zone = ShippingZone.objects.get()
    assert (zone.countries, zone.postcode_patterns) == ("AT,DE", "18565\n25846-25849")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"postcode_patterns": "25849-25846"}, "runs backwards"),
        ({"countries": []}, "or make it the rest of the world"),
        ({"countries": ["XX"]}, "Select a valid choice"),
    ],
)
def test_a_wrong_zone_is_refused(staff_client, changes, error):
    response = staff_client.post("/admin/shipping/shippingzone/add/", _zone_form(**changes))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ShippingZone.objects.exists()


def _method_form(zone, bands):
    data = {
        "zone": str(zone.pk),
        "name": "Standard",
        "kind": "weight_bands",
        "price": "0",
        "free_from": "",
        "delivery_estimate": "2-3 business days",
        "tax_class": "standard",
        "is_active": "on",
        "position": "0",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for n, (low, high, price) in enumerate(bands):
        data |= {f"bands-{n}-from_value": low, f"bands-{n}-below_value": high, f"bands-{n}-price": price}
    return data


def test_a_method_is_saved_with_its_bands(staff_client):
    zone = ShippingZoneFactory.create()

    response = staff_client.post(
        "/admin/shipping/shippingmethod/add/",
        _method_form(zone, [("0", "2000", "4.90"), ("2000", "", "6.90")]),
    )

    assert response.status_code == 302
    method = ShippingMethod.objects.get()
    assert [(b.from_value, b.below_value, b.price) for b in method.bands.all()] == [
        (Decimal("0.00"), Decimal("2000.00"), Decimal("4.90")),
        (Decimal("2000.00"), None, Decimal("6.90")),
    ]


@pytest.mark.parametrize(
    ("bands", "error"),
    [
        ([("0", "2000", "4.90"), ("1500", "", "6.90")], "overlap"),
        ([("0", "", "4.90"), ("1500", "", "6.90")], "overlap"),
        ([("2000", "1000", "4.90")], "must be above the lower bound"),
    ],
)
def test_bands_that_overlap_or_run_backwards_are_refused(staff_client, bands, error):
    zone = ShippingZoneFactory.create()

    response = staff_client.post("/admin/shipping/shippingmethod/add/", _method_form(zone, bands))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not RateBand.objects.exists()


def test_a_free_over_method_needs_its_threshold(staff_client):
    zone = ShippingZoneFactory.create()
    data = _method_form(zone, []) | {"kind": "free_over", "price": "4.90"}

    response = staff_client.post("/admin/shipping/shippingmethod/add/", data)

    assert response.status_code == 200
    assert "Give the order value from which shipping is free." in response.content.decode()
