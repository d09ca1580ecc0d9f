"""The rate rules of the table carrier, at the edges of each kind of method:
bands hold amounts from their lower bound (included) to their upper bound
(excluded); free shipping starts at its threshold (included)."""

from decimal import Decimal

import pytest

from shipping.models import RateBand, ShippingMethod
from shipping.quotes import Destination, Parcel
from shipping.rates import band_price, method_price
from shipping.services import shipping_options
from tests.shipping.factories import ShippingMethodFactory, ShippingZoneFactory

pytestmark = pytest.mark.django_db

Kind = ShippingMethod.Kind
BERLIN = Destination(
    country_code="DE", postal_code="10117", city="Berlin", street_address_1="Unter den Linden 1"
)


def _price(method: ShippingMethod, *, grams: int = 1000, value: str = "10.00") -> Decimal | None:
    return method_price(
        method, weight_grams=grams, order_value=Decimal(value), bands=list(method.bands.all())
    )


def test_flat_rate_costs_its_price_whatever_the_weight_and_value():
    method = ShippingMethodFactory.create(kind=Kind.FLAT, price=Decimal("4.90"))

    assert _price(method, grams=0, value="0.00") == Decimal("4.90")
    assert _price(method, grams=50_000, value="9999.99") == Decimal("4.90")


@pytest.mark.parametrize(
    ("grams", "expected"),
    [
        (0, Decimal("4.90")),
        (1999, Decimal("4.90")),
        (2000, Decimal("6.90")),  # the upper edge belongs to the next band
        (4999, Decimal("6.90")),
        (5000, Decimal("9.90")),
        (31499, Decimal("9.90")),
        (31500, None),  # beyond the last band: not offered
    ],
)
def test_weight_bands_hold_weights_from_their_lower_edge_up_to_below_their_upper_edge(grams, expected):
    method = ShippingMethodFactory.create(
        kind=Kind.WEIGHT_BANDS,
        bands=[("0", "2000", "4.90"), ("2000", "5000", "6.90"), ("5000", "31500", "9.90")],
    )

    assert _price(method, grams=grams) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.00", Decimal("12.90")),
        ("49.99", Decimal("12.90")),
        ("50.00", Decimal("6.90")),
        ("99.99", Decimal("6.90")),
        ("100.00", Decimal("0.00")),
        ("100000.00", Decimal("0.00")),  # an open last band has no upper limit
    ],
)
def test_value_bands_hold_order_values_from_their_lower_edge_up_to_below_their_upper_edge(value, expected):
    method = ShippingMethodFactory.create(
        kind=Kind.VALUE_BANDS,
        bands=[("0", "50", "12.90"), ("50", "100", "6.90"), ("100", None, "0")],
    )

    assert _price(method, value=value) == expected


def test_value_bands_that_start_above_zero_do_not_offer_the_method_to_smaller_orders():
    method = ShippingMethodFactory.create(kind=Kind.VALUE_BANDS, bands=[("20", None, "3.00")])

    assert _price(method, value="19.99") is None
    assert _price(method, value="20.00") == Decimal("3.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.00", Decimal("4.90")),
        ("49.99", Decimal("4.90")),
        ("50.00", Decimal("0.00")),
        ("50.01", Decimal("0.00")),
    ],
)
def test_free_over_charges_its_price_below_the_threshold_and_nothing_from_it(value, expected):
    method = ShippingMethodFactory.create(
        kind=Kind.FREE_OVER, price=Decimal("4.90"), free_from=Decimal("50.00")
    )

    assert _price(method, value=value) == expected


def test_band_price_with_no_bands_is_none():
    assert band_price([], Decimal(5)) is None


def test_overlapping_bands_are_resolved_by_the_lowest_start():
    bands = [
        RateBand(from_value=Decimal(0), below_value=Decimal(100), price=Decimal("1.00")),
        RateBand(from_value=Decimal(50), below_value=None, price=Decimal("2.00")),
    ]

    assert band_price(bands, Decimal(60)) == Decimal("1.00")
    assert band_price(bands, Decimal(100)) == Decimal("2.00")


def test_options_list_each_applicable_method_with_its_price_estimate_and_tax_class_cheapest_first():
    zone = ShippingZoneFactory.create(countries="DE")
    flat = ShippingMethodFactory.create(
        zone=zone, name="Express", price=Decimal("12.90"), tax_class="standard"
    )
    bands = ShippingMethodFactory.create(
        zone=zone,
        name="Standard",
        kind=Kind.WEIGHT_BANDS,
        delivery_estimate="2-3 business days",
        tax_class="reduced",
        bands=[("0", "2000", "4.90"), ("2000", "5000", "6.90")],
    )
    ShippingMethodFactory.create(
        zone=zone, name="Heavy only", kind=Kind.WEIGHT_BANDS, bands=[("10000", None, "1")]
    )
    ShippingMethodFactory.create(zone=zone, name="Switched off", is_active=False)

    quote = shipping_options(
        destination=BERLIN, parcel=Parcel(weight_grams=2000), order_value=Decimal("30.00")
    )

    assert [(o.id, o.name, o.price, o.delivery_estimate, o.tax_class) for o in quote.options] == [
        (f"table:{bands.pk}", "Standard", Decimal("6.90"), "2-3 business days", "reduced"),
        (f"table:{flat.pk}", "Express", Decimal("12.90"), "2-4 business days", "standard"),
    ]
    assert quote.notice == ""
