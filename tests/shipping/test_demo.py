"""`manage.py shipping_demo`: sensible demo zones and methods, idempotent."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from shipping.models import RateBand, ShippingMethod, ShippingZone
from shipping.quotes import Destination, Parcel
from shipping.services import shipping_options

pytestmark = pytest.mark.django_db


def test_the_demo_is_created_once(capsys):
    call_command("shipping_demo")
    counts = (ShippingZone.objects.count(), ShippingMethod.objects.count(), RateBand.objects.count())
    call_command("shipping_demo")

    assert counts == (4, 6, 9)
    assert (ShippingZone.objects.count(), ShippingMethod.objects.count(), RateBand.objects.count()) == counts
    assert capsys.readouterr().out.splitlines() == [
        "Demo shipping: 4 zones and 6 methods created.",
        "Demo shipping: 0 zones and 0 methods created.",
    ]


BERLIN = Destination(
    country_code="DE", postal_code="10117", city="Berlin", street_address_1="Unter den Linden 1"
)
PARIS = Destination(country_code="FR", postal_code="75001", city="Paris", street_address_1="1 Rue de Rivoli")
TOKYO = Destination(
    country_code="JP",
    postal_code="100-0001",
    city="Chiyoda-ku",
    country_area="Tokyo",
    street_address_1="1-1 Chiyoda",
)


@pytest.mark.parametrize(
    ("destination", "order_value", "expected"),
    [
        (BERLIN, "49.99", [("Standard", "4.90"), ("Express", "9.90")]),
        (BERLIN, "50.00", [("Standard", "0.00"), ("Express", "9.90")]),
        (PARIS, "60.00", [("EU Economy", "6.90"), ("EU Standard", "9.90")]),
        (TOKYO, "60.00", [("International", "39.90")]),
    ],
)
def test_the_demo_ships_to_germany_the_eu_and_the_world(destination, order_value, expected):
    call_command("shipping_demo")

    quote = shipping_options(
        destination=destination, parcel=Parcel(weight_grams=1200), order_value=Decimal(order_value)
    )

    assert [(o.name, str(o.price)) for o in quote.options] == expected
