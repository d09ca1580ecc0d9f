"""The plain values shipping speaks in: where to (``Destination``), what
(``Parcel``), and the answer (``Quote`` of ``ShippingOption``s), plus the
errors a checkout shows to the shopper.

They carry no model instances, so callers above (cart, orders) build them
from their own rows and the cache can hold them as plain data.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from accounts.addressing import AddressLike, address_fields
from shop.money import to_money


class ShippingError(Exception):
    """A shipping problem with a message for the shopper or staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidDestination(ShippingError):
    """The address is not valid for its country; ``errors`` maps our field
    names (as in the address book) to messages."""

    def __init__(self, message: str, errors: dict[str, str]) -> None:
        super().__init__(message)
        self.errors = errors


class ShippingUnavailable(ShippingError):
    """No method ships to the destination (or none could be priced now)."""


class OptionUnavailable(ShippingError):
    """The chosen option is not offered (any more) for this cart and address."""


@dataclass(frozen=True)
class Destination:
    """Where a parcel goes, in the address book's field names."""

    country_code: str
    postal_code: str = ""
    country_area: str = ""
    city: str = ""
    city_area: str = ""
    street_address_1: str = ""
    street_address_2: str = ""
    full_name: str = ""
    company_name: str = ""
    phone: str = ""

    @classmethod
    def from_address(cls, address: AddressLike) -> "Destination":
        """From an address book entry (``accounts.Address``) or anything shaped like one."""
        phone = getattr(address, "phone", "")
        return cls(**address_fields(address), phone=str(phone or ""))

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Parcel:
    """What is weighed and priced: the goods plus packaging, in grams."""

    weight_grams: int
    items: int = 0


@dataclass(frozen=True)
class ShippingOption:
    """One way to ship, as offered. ``id`` is stable across quotes
    (``table:<method id>``, ``easypost:<carrier>:<service>``) so a checkout
    stores it and re-quotes it with ``shipping_option_get`` instead of
    trusting a posted price. ``price`` is as entered (tax by ``tax_class``
    is applied by the cart's pricing)."""

    id: str
    carrier: str
    service: str
    name: str
    price: Decimal
    delivery_estimate: str
    tax_class: str

    def to_data(self) -> dict[str, str]:
        data = asdict(self)
        data["price"] = str(self.price)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ShippingOption":
        return cls(**{**data, "price": to_money(str(data["price"]))})


@dataclass(frozen=True)
class Quote:
    """The options for a destination and parcel, cheapest first. ``notice``
    is set when live carrier rates could not be had and table rates are
    shown instead; show it to the shopper."""

    options: tuple[ShippingOption, ...]
    notice: str = ""
    carriers_failed: tuple[str, ...] = field(default=())
