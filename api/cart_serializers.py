"""The cart as the API reads and writes it. Every amount comes from the
one pricing function (``cart.pages.cart_page_build`` / ``cart_price``), as
on the cart page; what a client may send is ids, quantities and codes
(never a price)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import MoneyField

# As cart/forms.py: ids beyond a 64-bit integer cannot exist.
ID_MAX = 2**63 - 1


def percent(rate: Decimal) -> str:
    """19.000 -> "19", 7.250 -> "7.25"."""
    return f"{rate.normalize():f}"


# --- Output -----------------------------------------------------------------------------


class SavingSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    amount = MoneyField()


class CartLineSerializer(serializers.Serializer):
    """A ``cart.pages.CartRow``: the line, priced."""

    id = serializers.IntegerField(source="line.pk")
    variant_id = serializers.IntegerField(source="line.variant_id")
    product_slug = serializers.CharField(source="line.variant.product.slug")
    sku = serializers.CharField(source="line.variant.sku")
    title = serializers.CharField(source="line.title")
    quantity = serializers.IntegerField(source="line.quantity")
    max_quantity = serializers.IntegerField(help_text=_("The most that may be bought now."))
    unit_price = MoneyField(source="priced.unit_price")
    compare_at_price = MoneyField(source="compare_at", allow_null=True)
    subtotal = MoneyField(source="priced.subtotal", help_text=_("Unit price times quantity."))
    discount = MoneyField(source="priced.discount")
    total = MoneyField(source="priced.total", help_text=_("Subtotal less discount."))
    tax_rate = serializers.SerializerMethodField()
    savings = SavingSerializer(many=True, help_text=_("What each promotion or code takes off this line."))
    warnings = serializers.ListField(child=serializers.CharField())

    @extend_schema_field(serializers.CharField(help_text=_('Percent, e.g. "19".')))
    def get_tax_rate(self, row: object) -> str:
        return percent(row.priced.tax_rate)  # type: ignore[attr-defined]


class DiscountSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    code = serializers.CharField(help_text=_("Empty for an automatic promotion."))
    kind = serializers.CharField()
    amount = MoneyField()


class TaxRowSerializer(serializers.Serializer):
    rate = serializers.CharField()
    amount = MoneyField()


class TotalsSerializer(serializers.Serializer):
    """A ``cart.pricing.Breakdown``."""

    subtotal = MoneyField()
    discounts = DiscountSerializer(many=True)
    discount_total = MoneyField(help_text=_("Off the lines and off shipping."))
    shipping = MoneyField(allow_null=True, help_text=_("None until a shipping method is chosen."))
    shipping_discount = MoneyField()
    tax = MoneyField(help_text=_("Included in the total when prices include tax."))
    tax_by_rate = serializers.SerializerMethodField()
    total = MoneyField()
    prices_include_tax = serializers.BooleanField()

    @extend_schema_field(TaxRowSerializer(many=True))
    def get_tax_by_rate(self, breakdown: object) -> list[dict[str, object]]:
        rows = [{"rate": percent(rate), "amount": amount} for rate, amount in breakdown.tax_by_rate]  # type: ignore[attr-defined]
        return TaxRowSerializer(rows, many=True).data  # type: ignore[return-value]


class HeldCodeSerializer(serializers.Serializer):
    """A ``cart.pages.HeldCode``: a code in the cart, what it takes off or why nothing."""

    code = serializers.CharField()
    amount = MoneyField(source="discount.amount", allow_null=True, default=None)
    refused = serializers.CharField(source="refusal.message", allow_null=True, default=None)


class CartSerializer(serializers.Serializer):
    """A ``cart.pages.CartPage``."""

    lines = CartLineSerializer(source="rows", many=True)
    item_count = serializers.IntegerField(source="count")
    promo_codes = HeldCodeSerializer(source="codes", many=True)
    totals = TotalsSerializer(source="breakdown", allow_null=True, help_text=_("None for no cart yet."))
    removed = serializers.ListField(
        source="dropped",
        child=serializers.CharField(),
        help_text=_("Titles of lines taken out now because they are no longer sold."),
    )


class CartMergedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text=_("Units that joined your cart from the guest cart."))
    notes = serializers.ListField(
        child=serializers.CharField(), help_text=_("What could not join in full, and why.")
    )
    cart = CartSerializer()


# --- Input ------------------------------------------------------------------------------

_QUANTITY_ERRORS: dict[str, Any] = {
    "required": _("Enter a quantity."),
    "invalid": _("Enter the quantity as a whole number, like 2."),
    "min_value": _("The quantity must be at least {min_value}."),
    "max_value": _("Enter a smaller quantity."),
}


class CartLineAddSerializer(serializers.Serializer):
    variant = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        help_text=_("The variant's id."),
        error_messages={
            "required": _("Choose a product to add."),
            "invalid": _("This product does not exist."),
            "min_value": _("This product does not exist."),
            "max_value": _("This product does not exist."),
        },
    )
    quantity = serializers.IntegerField(min_value=1, max_value=ID_MAX, error_messages=_QUANTITY_ERRORS)


class CartLineUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=ID_MAX, error_messages=_QUANTITY_ERRORS)


class PromoCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64,
        error_messages={
            "required": _("Enter a promo code."),
            "blank": _("Enter a promo code."),
            "max_length": _("This code does not exist."),
        },
    )
