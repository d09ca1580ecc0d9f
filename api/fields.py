"""Fields every area of the API shares: money as a string with its currency."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def money(amount: Decimal | None) -> dict | None:
    """``{"amount": "12.50", "currency": "EUR"}``, or None for no amount."""
    if amount is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": settings.SHOP_CURRENCY}


@extend_schema_field(
    {
        "type": "object",
        "properties": {"amount": {"type": "string", "example": "12.50"}, "currency": {"type": "string"}},
        "required": ["amount", "currency"],
    }
)
class MoneyField(serializers.Field):
    """An amount of the shop's currency, read-only: ``{"amount": "12.50", "currency": "EUR"}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> dict | None:
        return money(value)
