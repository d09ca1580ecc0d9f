"""The rate rules of the ``table`` carrier: which zone covers a destination
and what each of its methods costs for a parcel and an order value.

Postcodes are compared in capitals with spaces and dashes removed, so
``sw1a 1aa`` and ``SW1A1AA`` are the same postcode:

>>> postcode_matches("10117", "10000-19999")
True
>>> postcode_matches("20095", "10000-19999")
False
>>> postcode_matches("94104-1234", "90000-96199")
True
>>> postcode_matches("sw1a 1aa", "SW1A*")
True
>>> postcode_matches("8045", "8*")
True
>>> postcode_matches("18565", "18565")
True
>>> postcode_matches("185", "10000-19999")
False
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from shipping.models import RateBand, ShippingMethod, ShippingZone
from shop.money import ZERO, money_round

_RANGE = re.compile(r"^(\d+)-(\d+)$")
_PATTERN_CHARS = re.compile(r"^[A-Z0-9*]+$")


def _postcode_key(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def postcode_pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable postcode pattern, or None when it is.

    >>> postcode_pattern_error("19999-10000")
    'The range 19999-10000 runs backwards.'
    >>> postcode_pattern_error("100-19999")
    'Both ends of the range 100-19999 need the same number of digits.'
    >>> postcode_pattern_error("1?") is None
    False
    """
    text = pattern.strip()
    if match := _RANGE.match(text):
        low, high = match.groups()
        if len(low) != len(high):
            return _("Both ends of the range %(range)s need the same number of digits.") % {"range": text}
        if int(low) > int(high):
            return _("The range %(range)s runs backwards.") % {"range": text}
        return None
    if not _PATTERN_CHARS.match(_postcode_key(text)):
        return _("%(pattern)s is not a postcode pattern: use letters, digits and *.") % {"pattern": text}
    return None


def postcode_matches(postcode: str, pattern: str) -> bool:
    """Whether ``postcode`` fits one pattern: ``LOW-HIGH`` compares that many
    leading digits as a number (both ends included), ``*`` stands for any
    characters, anything else must be equal."""
    code = _postcode_key(postcode)
    text = pattern.strip()
    if match := _RANGE.match(text):
        low, high = match.groups()
        head = code[: len(low)]
        return len(head) == len(low) and head.isdigit() and int(low) <= int(head) <= int(high)
    wanted = _postcode_key(text)
    regex = "".join(".*" if char == "*" else re.escape(char) for char in wanted)
    return re.fullmatch(regex, code) is not None


def zone_covers(zone: ShippingZone, *, country_code: str, postal_code: str) -> bool:
    """Whether the zone covers the country and, when it lists postcode
    patterns, whether the postcode fits one of them (a destination without a
    postcode is then not covered)."""
    if not zone.rest_of_world and country_code.upper() not in zone.country_codes:
        return False
    patterns = zone.patterns
    if not patterns:
        return True
    return bool(postal_code) and any(postcode_matches(postal_code, pattern) for pattern in patterns)


def zone_for(zones: Iterable[ShippingZone], *, country_code: str, postal_code: str) -> ShippingZone | None:
    """The first zone (in the given order) covering the destination."""
    for zone in zones:
        if zone_covers(zone, country_code=country_code, postal_code=postal_code):
            return zone
    return None


def band_price(bands: Iterable[RateBand], amount: Decimal) -> Decimal | None:
    """The price of the band holding ``amount``: ``from_value <= amount <
    below_value`` (no upper limit when ``below_value`` is empty). None when
    no band holds it; with overlapping bands the one starting lowest wins."""
    for band in sorted(bands, key=lambda b: (b.from_value, b.pk or 0)):
        if band.from_value <= amount and (band.below_value is None or amount < band.below_value):
            return money_round(band.price)
    return None


def method_price(
    method: ShippingMethod, *, weight_grams: int, order_value: Decimal, bands: Iterable[RateBand] = ()
) -> Decimal | None:
    """What the method costs for this parcel and order, or None when it does
    not apply (no band holds the weight or value)."""
    kind = ShippingMethod.Kind
    if method.kind == kind.FLAT:
        return money_round(method.price)
    if method.kind == kind.FREE_OVER:
        threshold = method.free_from
        if threshold is not None and order_value >= threshold:
            return ZERO
        return money_round(method.price)
    if method.kind == kind.WEIGHT_BANDS:
        return band_price(bands, Decimal(weight_grams))
    if method.kind == kind.VALUE_BANDS:
        return band_price(bands, order_value)
    return None
