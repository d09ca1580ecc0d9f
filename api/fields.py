"""Money in the API: a string amount with the shop's currency, e.g.
``{"amount": "12.50", "currency": "EUR"}`` (never a float)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def money(amount: Decimal | None) -> dict[str, str] | None:
    if amount is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": settings.SHOP_CURRENCY}


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "amount": {"type": "string", "example": "12.50"},
            "currency": {"type": "string", "example": "EUR"},
        },
        "required": ["amount", "currency"],
    }
)
class MoneyField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> dict[str, str] | None:
        return money(value)
