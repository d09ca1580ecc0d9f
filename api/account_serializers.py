"""What the account endpoints read and write (``api/account_views.py``).

Input serializers check shapes and lengths; the rules themselves (an address
valid for its country, a review's length, a return's quantities) are the
services', whose errors the views turn into 400s. Output serializers name
every field they show: nothing of a password, a token, a card beyond its
brand and last four digits, a staff note or another person is in them.
"""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from api.fields import MoneyField, money
from notifications.kinds import Group
from notifications.models import Channel
from notifications.preference_forms import CHANNEL_LABELS, GROUP_HELP, GROUP_LABELS, field_name
from notifications.preferences import DEFAULTS
from orders.models import Order
from wishlists.models import NAME_MAX
from wishlists.services import QUANTITY_MAX

# --- Profile -------------------------------------------------------------------------------

# "marketing_email": (group, channel), as the preferences page names its boxes.
PREFERENCES = {field_name(group, channel): (group, channel) for group, channel in DEFAULTS}


class PreferencesSerializer(serializers.Serializer):
    """One switch per group and channel a person may choose (account and
    order messages are always sent). Switching ``marketing_email`` on sends
    a confirmation email first; it reads true once confirmed."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.BooleanField(
                required=False,
                help_text=f"{GROUP_LABELS[Group(group)]}, {CHANNEL_LABELS[Channel(channel)].lower()}: "
                f"{GROUP_HELP[Group(group)]}",
            )
            for name, (group, channel) in PREFERENCES.items()
        }


class ProfileSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True, help_text="Changed on the account's email page.")
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    phone = PhoneNumberField(
        allow_blank=True, required=False, help_text="With its country code unless it is a local number."
    )
    preferences = PreferencesSerializer(required=False)
    marketing_confirmation_sent = serializers.BooleanField(
        read_only=True, help_text="A PATCH switching news on sent the email that confirms it."
    )


# --- Addresses ------------------------------------------------------------------------------


class MyAddressSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    country_code = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE.")
    label = serializers.CharField(max_length=50, allow_blank=True, required=False)  # type: ignore[assignment]
    full_name = serializers.CharField(max_length=255)
    company_name = serializers.CharField(max_length=255, allow_blank=True, required=False)
    street_address_1 = serializers.CharField(max_length=255)
    street_address_2 = serializers.CharField(max_length=255, allow_blank=True, required=False)
    postal_code = serializers.CharField(max_length=20, allow_blank=True, required=False)
    city = serializers.CharField(max_length=255, allow_blank=True, required=False)
    city_area = serializers.CharField(max_length=255, allow_blank=True, required=False)
    country_area = serializers.CharField(max_length=128, allow_blank=True, required=False)
    phone = PhoneNumberField(allow_blank=True, required=False)
    is_default_shipping = serializers.BooleanField(
        required=False, help_text="True makes it the default (another address becomes the default to undo)."
    )
    is_default_billing = serializers.BooleanField(required=False)
    lines = serializers.ListField(
        child=serializers.CharField(),
        source="as_lines",
        read_only=True,
        help_text="As written on an envelope.",
    )


# --- Orders ---------------------------------------------------------------------------------


class MyOrderFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Order.Status.choices, required=False, help_text="Only the orders in this status."
    )


class MyOrderSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    item_count = serializers.IntegerField(allow_null=True)
    total = MoneyField()


class MyOrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_title = serializers.CharField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyField()
    subtotal = MoneyField()
    discount = MoneyField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=3)
    tax = MoneyField()
    total = MoneyField()
    quantity_shipped = serializers.IntegerField()
    quantity_returned = serializers.IntegerField()


class MyOrderDiscountSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    code = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    amount = serializers.SerializerMethodField()

    @extend_schema_field(MoneyField)
    def get_amount(self, discount: dict[str, Any]) -> dict | None:
        return money(Decimal(str(discount.get("amount", "0"))))


class MyOrderTaxRowSerializer(serializers.Serializer):
    rate = serializers.CharField(help_text='Percent, e.g. "19".')
    amount = MoneyField()


class MyOrderTotalsSerializer(serializers.Serializer):
    subtotal = MoneyField()
    discounts = MyOrderDiscountSerializer(many=True)
    discount_total = MoneyField()
    shipping = MoneyField(source="shipping_price")
    tax = MoneyField(source="tax_total")
    total = MoneyField()
    prices_include_tax = serializers.BooleanField()


class MyTrackingEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()


class MyShipmentLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()


class MyShipmentSerializer(serializers.Serializer):
    carrier = serializers.CharField(source="shown_as")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    tracking_number = serializers.CharField()
    tracking_url = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = MyShipmentLineSerializer(many=True, source="lines.all")
    events = MyTrackingEventSerializer(many=True, source="events.all")


class MyOrderPaymentSerializer(serializers.Serializer):
    """The card as the order page shows it: brand and last four digits only."""

    status = serializers.CharField()
    card_brand = serializers.CharField()
    card_last4 = serializers.CharField()
    captured = MoneyField(source="captured_amount")
    refunded = MoneyField(source="refunded_amount")


class MyOrderDetailSerializer(serializers.Serializer):
    """Built from ``orders.order_page.order_page_build``, as the order page."""

    number = serializers.CharField(source="order.number")
    status = serializers.CharField(source="order.status")
    status_display = serializers.CharField(source="order.get_status_display")
    created_at = serializers.DateTimeField(source="order.created_at")
    paid_at = serializers.DateTimeField(source="order.paid_at", allow_null=True)
    cancelled_at = serializers.DateTimeField(source="order.cancelled_at", allow_null=True)
    delivered_at = serializers.DateTimeField(source="order.delivered_at", allow_null=True)
    lines = MyOrderLineSerializer(many=True)
    totals = MyOrderTotalsSerializer(source="order")
    tax_rows = MyOrderTaxRowSerializer(many=True)
    promo_codes = serializers.ListField(child=serializers.CharField(), source="order.promo_codes")
    shipping_method = serializers.SerializerMethodField()
    shipping_address = serializers.ListField(child=serializers.CharField(), source="shipping_lines")
    billing_address = serializers.ListField(child=serializers.CharField(), source="billing_lines")
    payment = MyOrderPaymentSerializer(allow_null=True)
    shipments = MyShipmentSerializer(many=True)
    can_cancel = serializers.BooleanField()
    can_return = serializers.BooleanField()
    invoice = serializers.BooleanField(help_text="The PDF invoice is at …/invoice/.")

    def get_shipping_method(self, page: Any) -> str:
        return str(page.order.shipping_method.get("name", ""))


# --- Returns --------------------------------------------------------------------------------


class MyReturnLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="order_line_id", help_text="The order line's id.")
    product_title = serializers.CharField(source="order_line.product_title")
    sku = serializers.CharField(source="order_line.sku")
    quantity = serializers.IntegerField()


class MyReturnSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = MyReturnLineSerializer(many=True, source="lines.all")


class MyReturnLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text="An order line's id.")
    quantity = serializers.IntegerField(min_value=1)


class MyReturnRequestSerializer(serializers.Serializer):
    lines = MyReturnLineInputSerializer(many=True, allow_empty=False)
    reason = serializers.CharField(max_length=2000)

    def validate_lines(self, lines: list[dict[str, int]]) -> list[dict[str, int]]:
        if len({line["line"] for line in lines}) != len(lines):
            raise serializers.ValidationError("Name each order line once.")
        return lines


# --- Wishlists ------------------------------------------------------------------------------


class MyProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()


class WishlistSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=NAME_MAX)
    is_favourites = serializers.BooleanField(source="is_default", read_only=True)
    shared = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_shared(self, wishlist: Any) -> bool:
        return bool(wishlist.share_token)


class WishlistItemSerializer(serializers.Serializer):
    """An item as its list page shows it (``wishlists.selectors.ItemRow``)."""

    id = serializers.IntegerField(source="item.pk")
    product = MyProductRefSerializer(source="item.product")
    variant = serializers.IntegerField(source="item.variant_id", allow_null=True)
    variant_label = serializers.CharField(source="label")
    note = serializers.CharField(source="item.note")
    quantity = serializers.IntegerField(source="item.quantity")
    added_at = serializers.DateTimeField(source="item.added_at")
    price = MoneyField(allow_null=True)
    sale_price = MoneyField(allow_null=True)
    available = serializers.IntegerField()
    sold = serializers.BooleanField()


class WishlistDetailSerializer(WishlistSerializer):
    items = WishlistItemSerializer(many=True, read_only=True, source="items_shown")


class WishlistItemAddSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    variant = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX, required=False, default=1)


class WishlistItemUpdateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX, required=False)


# --- Reviews --------------------------------------------------------------------------------


class MyReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = MyProductRefSerializer(read_only=True)
    product_slug = serializers.SlugField(
        max_length=220, write_only=True, help_text="The product reviewed (its slug, as in its address)."
    )
    variant = serializers.IntegerField(
        source="variant_id", min_value=1, allow_null=True, required=False, help_text="The variant bought."
    )
    variant_label = serializers.CharField(read_only=True)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=5000)
    author_name = serializers.CharField(max_length=60, help_text="The name shown with the review.")
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    verified_purchase = serializers.BooleanField(read_only=True)
    helpful_count = serializers.IntegerField(read_only=True)
    reply = serializers.CharField(read_only=True, help_text="The shop's public reply.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MyReviewUpdateSerializer(MyReviewSerializer):
    """Editing one's review: its product stays."""

    product_slug = None  # type: ignore[assignment]


# --- Notifications --------------------------------------------------------------------------


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    link = serializers.CharField(help_text="A path of the shop's site.")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NoticeCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
