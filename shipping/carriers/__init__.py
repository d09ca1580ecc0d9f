"""Carrier adapters by name (the names used in ``SHIPPING_CARRIERS``)."""

from django.conf import settings

from shipping.carriers.base import Carrier
from shipping.carriers.easypost import EasyPostCarrier
from shipping.carriers.table import TableCarrier

CARRIERS: dict[str, type[Carrier]] = {
    TableCarrier.name: TableCarrier,
    EasyPostCarrier.name: EasyPostCarrier,
}


class UnknownCarrier(LookupError):
    """No adapter has that name, or it is not enabled in SHIPPING_CARRIERS."""


def carrier_get(name: str, *, enabled_only: bool = True, timeout: int | None = None) -> Carrier:
    """The adapter called ``name``; raises ``UnknownCarrier`` for names that
    have no adapter or (with ``enabled_only``) are not in SHIPPING_CARRIERS."""
    if name not in CARRIERS or (enabled_only and name not in settings.SHIPPING_CARRIERS):
        raise UnknownCarrier(name)
    return CARRIERS[name](timeout=timeout)


def carriers_enabled() -> list[Carrier]:
    """The enabled adapters, in the order of SHIPPING_CARRIERS (unknown names skipped)."""
    return [CARRIERS[name]() for name in settings.SHIPPING_CARRIERS if name in CARRIERS]
