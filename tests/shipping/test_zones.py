"""Which zone covers a destination: countries, postcode patterns (exact,
wildcards, ranges of leading digits), the order of zones, rest of world,
and a clear message where nothing ships."""

from decimal import Decimal

import pytest

from shipping.quotes import Destination, InvalidDestination, Parcel, ShippingUnavailable
from shipping.rates import postcode_matches, postcode_pattern_error, zone_covers
from shipping.selectors import zone_for_destination
from shipping.services import shipping_options
from tests.shipping.factories import ShippingMethodFactory, ShippingZoneFactory

pytestmark = pytest.mark.django_db

PARCEL = Parcel(weight_grams=800, items=1)


def _zone(**fields):
    zone = ShippingZoneFactory.create(**fields)
    ShippingMethodFactory.create(zone=zone, name=f"via {zone.name}")
    return zone


def _de(postcode: str) -> Destination:
    return Destination(country_code="DE", postal_code=postcode, city="Berlin", street_address_1="Hauptstr. 1")


@pytest.mark.parametrize(
    ("postcode", "pattern", "expected"),
    [
        ("10117", "10117", True),
        ("10118", "10117", False),
        ("10000", "10000-19999", True),  # both ends of a range are included
        ("19999", "10000-19999", True),
        ("09999", "10000-19999", False),
        ("20000", "10000-19999", False),
        ("1011", "10000-19999", False),  # too few digits
        ("8045", "8*", True),
        ("7045", "8*", False),
        ("SW1A 1AA", "sw1a*", True),
        ("SW1B 1AA", "SW1A*", False),
        ("94104-1234", "94*", True),
        ("27498", "27*98", True),
    ],
)
def test_postcode_patterns(postcode, pattern, expected):
    assert postcode_matches(postcode, pattern) is expected


@pytest.mark.parametrize("pattern", ["19999-10000", "100-19999", "10?17", "10.1"])
def test_bad_postcode_patterns_are_explained(pattern):
    assert postcode_pattern_error(pattern)


def test_a_zone_without_patterns_covers_the_whole_of_its_countries_and_nothing_else():
    zone = ShippingZoneFactory.build(countries="DE, at")

    assert zone_covers(zone, country_code="DE", postal_code="")
    assert zone_covers(zone, country_code="AT", postal_code="1010")
    assert not zone_covers(zone, country_code="FR", postal_code="75001")


def test_a_zone_with_patterns_covers_only_matching_postcodes_of_its_countries():
    zone = ShippingZoneFactory.build(countries="DE", postcode_patterns="18565\n25846-25849\n27498")

    assert zone_covers(zone, country_code="DE", postal_code="25847")
    assert not zone_covers(zone, country_code="DE", postal_code="10117")
    assert not zone_covers(zone, country_code="DE", postal_code="")
    assert not zone_covers(zone, country_code="AT", postal_code="18565")


def test_the_first_zone_by_position_that_covers_the_destination_wins():
    islands = _zone(name="German islands", countries="DE", postcode_patterns="18565\n25846-25849", position=1)
    mainland = _zone(name="Germany", countries="DE", position=2)
    _zone(name="World", countries="", rest_of_world=True, position=9)

    assert zone_for_destination(country_code="DE", postal_code="25846") == islands
    assert zone_for_destination(country_code="DE", postal_code="10117") == mainland


def test_rest_of_world_covers_countries_without_a_zone_of_their_own():
    _zone(name="Germany", countries="DE", position=1)
    world = _zone(name="World", countries="", rest_of_world=True, position=9)

    assert zone_for_destination(country_code="JP", postal_code="100-0001") == world


def test_a_zone_without_active_methods_is_skipped():
    empty = ShippingZoneFactory.create(name="Empty", countries="DE", position=1)
    ShippingMethodFactory.create(zone=empty, is_active=False)
    germany = _zone(name="Germany", countries="DE", position=2)

    assert zone_for_destination(country_code="DE", postal_code="10117") == germany


def test_only_the_methods_of_the_destinations_zone_are_offered():
    islands = ShippingZoneFactory.create(
        name="Islands", countries="DE", postcode_patterns="25846-25849", position=1
    )
    ShippingMethodFactory.create(zone=islands, name="Ferry", price=Decimal("14.90"))
    mainland = ShippingZoneFactory.create(name="Germany", countries="DE", position=2)
    ShippingMethodFactory.create(zone=mainland, name="DHL", price=Decimal("4.90"))

    island = shipping_options(destination=_de("25846"), parcel=PARCEL, order_value=Decimal(10))
    berlin = shipping_options(destination=_de("10117"), parcel=PARCEL, order_value=Decimal(10))

    assert [o.name for o in island.options] == ["Ferry"]
    assert [o.name for o in berlin.options] == ["DHL"]


def test_a_country_without_a_zone_is_a_clear_message():
    _zone(name="Germany", countries="DE")
    paris = Destination(
        country_code="FR", postal_code="75001", city="Paris", street_address_1="1 Rue de Rivoli"
    )

    with pytest.raises(ShippingUnavailable, match=r"^Sorry, we do not ship to France\.$"):
        shipping_options(destination=paris, parcel=PARCEL, order_value=Decimal(10))


def test_a_postcode_outside_every_pattern_is_named_in_the_message():
    _zone(name="Berlin only", countries="DE", postcode_patterns="10000-14999")

    with pytest.raises(ShippingUnavailable, match="postcode 80331 in Germany"):
        shipping_options(destination=_de("80331"), parcel=PARCEL, order_value=Decimal(10))


def test_a_destination_not_valid_for_its_country_is_refused_with_a_message():
    _zone(name="Germany", countries="DE")

    with pytest.raises(InvalidDestination) as refused:
        shipping_options(destination=_de("1011"), parcel=PARCEL, order_value=Decimal(10))

    assert "Enter a valid postal code for Germany" in refused.value.message
    assert set(refused.value.errors) == {"postal_code"}


def test_a_destination_is_normalised_before_its_zone_is_found():
    _zone(name="London", countries="GB", postcode_patterns="SW1A*")
    london = Destination(
        country_code="gb", postal_code="sw1a 1aa", city="London", street_address_1="10 Downing St"
    )

    quote = shipping_options(destination=london, parcel=PARCEL, order_value=Decimal(10))

    assert len(quote.options) == 1


def test_an_estimate_needs_only_the_country_and_checks_a_given_postcode():
    _zone(name="Germany", countries="DE")

    quote = shipping_options(
        destination=Destination(country_code="DE"), parcel=PARCEL, order_value=Decimal(10), estimate=True
    )
    assert len(quote.options) == 1
    with pytest.raises(InvalidDestination):
        shipping_options(
            destination=Destination(country_code="DE", postal_code="1"),
            parcel=PARCEL,
            order_value=Decimal(10),
            estimate=True,
        )
    with pytest.raises(InvalidDestination):
        shipping_options(destination=Destination(country_code="DE"), parcel=PARCEL, order_value=Decimal(10))


def test_destination_from_an_address_book_entry():
    from tests.factories import AddressFactory

    address = AddressFactory.create()
    _zone(name="Germany", countries="DE")

    destination = Destination.from_address(address)
    quote = shipping_options(destination=destination, parcel=PARCEL, order_value=Decimal(10))

    assert destination.postal_code == "10117"
    assert destination.full_name == "Ada Lovelace"
    assert len(quote.options) == 1
