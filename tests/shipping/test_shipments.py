"""Shipments: partial shipments of an order's lines, never beyond what was
ordered; labels bought from the carrier once."""

import pytest

from shipping.models import Shipment
from shipping.quotes import Destination
from shipping.selectors import shipment_quantities_shipped, shipments_for_reference
from shipping.services import (
    ShipmentError,
    ShipmentLineInput,
    shipment_create,
    shipment_is_tracked,
    shipment_label_buy,
)
from tests.catalog.factories import VariantFactory
from tests.shipping.factories import ShipmentFactory

pytestmark = pytest.mark.django_db

NEW_YORK = Destination(
    country_code="US", country_area="NY", postal_code="10001", city="NEW YORK", street_address_1="350 5th Ave"
)
ORDERED = {11: 3, 12: 1}


def _line(line_reference: int, quantity: int, sku: str = "SKU-1") -> ShipmentLineInput:
    return ShipmentLineInput(sku=sku, title="Shirt", quantity=quantity, line_reference=line_reference)


def test_an_order_can_ship_in_parts_up_to_what_was_ordered():
    variant = VariantFactory.create(sku="SHIRT-M")
    first = shipment_create(
        reference="100042",
        carrier="table",
        service="3",
        lines=[ShipmentLineInput("SHIRT-M", "Shirt M", 2, variant_id=variant.pk, line_reference=11)],
        ordered=ORDERED,
    )
    shipment_create(
        reference="100042", carrier="table", service="3", lines=[_line(11, 1), _line(12, 1)], ordered=ORDERED
    )

    assert shipment_quantities_shipped(reference="100042") == {11: 3, 12: 1}
    assert [(line.sku, line.quantity, line.variant_id) for line in first.lines.all()] == [
        ("SHIRT-M", 2, variant.pk)
    ]
    assert shipments_for_reference(reference="100042").count() == 2
    with pytest.raises(ShipmentError, match="Only 0 of SKU-1 are left to ship"):
        shipment_create(
            reference="100042", carrier="table", service="3", lines=[_line(11, 1)], ordered=ORDERED
        )


def test_two_lines_of_one_shipment_cannot_together_exceed_the_order():
    with pytest.raises(ShipmentError, match="Only 1 of SKU-1"):
        shipment_create(
            reference="100042",
            carrier="table",
            service="",
            lines=[_line(11, 2), _line(11, 2)],
            ordered=ORDERED,
        )
    assert not Shipment.objects.exists()


def test_a_cancelled_shipment_gives_its_quantities_back():
    shipment = shipment_create(
        reference="100042", carrier="table", service="", lines=[_line(11, 3)], ordered=ORDERED
    )
    shipment.status = Shipment.Status.CANCELLED
    shipment.save()

    assert shipment_quantities_shipped(reference="100042") == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"carrier": "pigeon"}, "Unknown carrier"),
        ({"reference": " "}, "needs the order's reference"),
        ({"lines": []}, "at least one line"),
        ({"lines": [ShipmentLineInput("SKU-1", "Shirt", 0, line_reference=11)]}, "at least 1"),
        ({"lines": [_line(99, 1)]}, "not a line of this order"),
    ],
)
def test_a_wrong_shipment_is_refused(changes, message):
    arguments = {"reference": "100042", "carrier": "table", "service": "", "lines": [_line(11, 1)]}

    with pytest.raises(ShipmentError, match=message):
        shipment_create(**{**arguments, **changes}, ordered=ORDERED)


def test_a_shipment_is_tracked_when_its_carrier_tracks_and_it_has_a_number(easypost):
    tracked = ShipmentFactory.create(carrier="easypost", tracking_number="EZ7")
    numberless = ShipmentFactory.create(carrier="easypost", tracking_number="")
    table = ShipmentFactory.create(carrier="table", tracking_number="TBL1")

    assert [shipment_is_tracked(shipment=s) for s in (tracked, numberless, table)] == [True, False, False]


def test_a_label_is_bought_once_and_fills_in_the_tracking(easypost):
    shipment = shipment_create(
        reference="100042",
        carrier="easypost",
        service="USPS:Priority",
        lines=[_line(11, 1)],
        destination=NEW_YORK,
        weight_grams=900,
    )

    shipment_label_buy(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.tracking_number.startswith("9405500")
    assert shipment.label_url.endswith(".png")
    assert shipment.carrier_reference.startswith("trk_")
    with pytest.raises(ShipmentError, match="already has a label"):
        shipment_label_buy(shipment_id=shipment.pk)
    assert len([r for r in easypost.requests if r.path.endswith("/buy")]) == 1


def test_the_table_carrier_makes_no_labels():
    shipment = ShipmentFactory.create(carrier="table", tracking_number="", destination={"country_code": "DE"})

    with pytest.raises(ShipmentError, match="does not make labels"):
        shipment_label_buy(shipment_id=shipment.pk)


def test_a_carrier_failure_while_buying_is_a_shipment_error_and_changes_nothing(easypost):
    shipment = ShipmentFactory.create(tracking_number="", destination=NEW_YORK.as_dict(), weight_grams=500)
    easypost.mode = "error"

    with pytest.raises(ShipmentError, match="EasyPost answered 500"):
        shipment_label_buy(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    assert (shipment.tracking_number, shipment.label_url) == ("", "")
