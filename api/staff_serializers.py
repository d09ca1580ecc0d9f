"""The staff API's shapes: what staff send (filters, actions, edits) and
what they get back. Staff see what the admin shows them, the history's
staff notes and the returns' staff notes included; never full card data
(brand and last four only), gateway secrets or order fingerprints."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.models import modelform_factory
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import MoneyField
from catalog.models import Product, StockMovement, Variant
from catalog.stock import ADJUST_REASONS
from orders.models import Order, OrderEvent, OrderLine, Return, ReturnLine
from payments.models import Payment, Refund
from shipping.carriers import CARRIERS
from shipping.models import Shipment, ShipmentLine, TrackingEvent


def _address() -> serializers.DictField:
    """An address as the order copied it (its keys depend on the country)."""
    return serializers.DictField(child=serializers.CharField(allow_blank=True), read_only=True)


class _Email(serializers.CharField):
    """The email of the staff member (or customer) who did something, or null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)


def _status_field(component: str, choices: list[tuple[str, Any]]) -> Callable[..., serializers.ChoiceField]:
    """A status field whose schema is its own named enum (each app's statuses
    differ, and enums named after the field, "status", would collide)."""
    values = [value for value, _label in choices]

    class StatusField(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    return extend_schema_field({"type": "string", "enum": values}, component_name=component)(StatusField)


OrderStatus = _status_field("OrderStatus", Order.Status.choices)
ReturnStatus = _status_field("ReturnStatus", Return.Status.choices)
PaymentStatus = _status_field("PaymentStatus", Payment.Status.choices)
RefundStatus = _status_field("RefundStatus", Refund.Status.choices)
ShipmentStatus = _status_field("ShipmentStatus", Shipment.Status.choices)


# --- Orders -------------------------------------------------------------------------------


class StaffOrderFilterSerializer(serializers.Serializer[Any]):
    status = OrderStatus(required=False)
    paid_from = serializers.DateField(required=False, help_text="First day paid (YYYY-MM-DD), included.")
    paid_to = serializers.DateField(required=False, help_text="Last day paid (YYYY-MM-DD), included.")
    email = serializers.CharField(required=False, max_length=254, help_text="Part of the email.")
    number = serializers.CharField(required=False, max_length=30, help_text="The order number.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("paid_from") and attrs.get("paid_to") and attrs["paid_from"] > attrs["paid_to"]:
            raise serializers.ValidationError({"paid_to": [_("The last day comes before the first day.")]})
        return attrs


class StaffOrderSerializer(serializers.ModelSerializer[Order]):
    status = OrderStatus(read_only=True)
    total = MoneyField()
    item_count = serializers.IntegerField(read_only=True, allow_null=True)
    country = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields: tuple[str, ...] = (
            "number",
            "status",
            "email",
            "country",
            "item_count",
            "total",
            "created_at",
            "paid_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_country(self, order: Order) -> str:
        return str(order.shipping_address.get("country_code", ""))


class StaffOrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    unit_price = MoneyField()
    subtotal = MoneyField()
    discount = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    class Meta:
        model = OrderLine
        fields = (
            "id",
            "variant_id",
            "product_title",
            "sku",
            "unit_price",
            "quantity",
            "subtotal",
            "discount",
            "tax_rate",
            "tax",
            "total",
            "quantity_shipped",
            "quantity_returned",
        )
        read_only_fields = fields


class StaffRefundSerializer(serializers.ModelSerializer[Refund]):
    status = RefundStatus(read_only=True)
    amount = MoneyField()

    class Meta:
        model = Refund
        fields = ("id", "amount", "status", "reason", "created_at")
        read_only_fields = fields


class StaffPaymentSerializer(serializers.ModelSerializer[Payment]):
    status = PaymentStatus(read_only=True)
    amount = MoneyField()
    captured_amount = MoneyField()
    refunded_amount = MoneyField()
    refunds = StaffRefundSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = (
            "id",
            "gateway",
            "status",
            "amount",
            "captured_amount",
            "refunded_amount",
            "card_brand",
            "card_last4",
            "failure_message",
            "created_at",
            "refunds",
        )
        read_only_fields = fields


class StaffShipmentLineSerializer(serializers.ModelSerializer[ShipmentLine]):
    order_line = serializers.IntegerField(source="line_reference", read_only=True, allow_null=True)

    class Meta:
        model = ShipmentLine
        fields = ("order_line", "sku", "title", "quantity")
        read_only_fields = fields


class StaffTrackingEventSerializer(serializers.ModelSerializer[TrackingEvent]):
    status = serializers.CharField(read_only=True, help_text="A shipment status, or blank.")

    class Meta:
        model = TrackingEvent
        fields = ("occurred_at", "status", "place", "description")
        read_only_fields = fields


class StaffShipmentSerializer(serializers.ModelSerializer[Shipment]):
    status = ShipmentStatus(read_only=True)
    lines = StaffShipmentLineSerializer(many=True, read_only=True)
    events = StaffTrackingEventSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = (
            "id",
            "carrier",
            "service",
            "tracking_number",
            "tracking_url",
            "label_url",
            "status",
            "created_at",
            "lines",
            "events",
        )
        read_only_fields = fields


class StaffReturnLineSerializer(serializers.ModelSerializer[ReturnLine]):
    sku = serializers.CharField(source="order_line.sku", read_only=True)
    product_title = serializers.CharField(source="order_line.product_title", read_only=True)

    class Meta:
        model = ReturnLine
        fields = ("order_line", "sku", "product_title", "quantity")
        read_only_fields = fields


class StaffReturnSerializer(serializers.ModelSerializer[Return]):
    status = ReturnStatus(read_only=True)
    order = serializers.CharField(source="order.number", read_only=True)
    lines = StaffReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = Return
        fields = ("number", "order", "status", "reason", "staff_note", "created_at", "updated_at", "lines")
        read_only_fields = fields


class StaffOrderEventSerializer(serializers.ModelSerializer[OrderEvent]):
    by = _Email(source="by.email", help_text="Who: a staff member, the customer, or null for the shop.")

    class Meta:
        model = OrderEvent
        fields = ("created_at", "by", "from_status", "to_status", "note")
        read_only_fields = fields


class StaffOrderDetailSerializer(StaffOrderSerializer):
    """The order page of the admin: the order with its lines, totals and
    addresses; its payments, shipments, returns and history come in the
    context (``payments``, ``shipments``, ``returns``, ``events``)."""

    user_email = _Email(source="user.email")
    subtotal = MoneyField()
    discount_total = MoneyField()
    shipping_price = MoneyField()
    tax_total = MoneyField()
    lines = StaffOrderLineSerializer(many=True, read_only=True)
    shipping_address = _address()
    billing_address = _address()
    shipping_method = serializers.DictField(read_only=True)
    promo_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    payments = serializers.SerializerMethodField()
    shipments = serializers.SerializerMethodField()
    returns = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(StaffOrderSerializer.Meta):
        fields = (
            *StaffOrderSerializer.Meta.fields,
            "user_email",
            "subtotal",
            "discount_total",
            "shipping_price",
            "tax_total",
            "prices_include_tax",
            "promo_codes",
            "delivered_at",
            "cancelled_at",
            "lines",
            "shipping_address",
            "billing_address",
            "shipping_method",
            "payments",
            "shipments",
            "returns",
            "events",
        )
        read_only_fields = fields

    @extend_schema_field(StaffPaymentSerializer(many=True))
    def get_payments(self, order: Order) -> Any:
        return StaffPaymentSerializer(self.context["payments"], many=True).data

    @extend_schema_field(StaffShipmentSerializer(many=True))
    def get_shipments(self, order: Order) -> Any:
        return StaffShipmentSerializer(self.context["shipments"], many=True).data

    @extend_schema_field(StaffReturnSerializer(many=True))
    def get_returns(self, order: Order) -> Any:
        return StaffReturnSerializer(self.context["returns"], many=True).data

    @extend_schema_field(StaffOrderEventSerializer(many=True))
    def get_events(self, order: Order) -> Any:
        return StaffOrderEventSerializer(self.context["events"], many=True).data


class LineQuantitySerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(min_value=1, help_text="The id of one of the order's lines.")
    quantity = serializers.IntegerField(min_value=0, max_value=100_000)


def _lines(items: list[dict[str, int]]) -> dict[int, int]:
    """[{line, quantity}, ...] as the services take them: {line id: units}, units added up."""
    lines: dict[int, int] = {}
    for item in items:
        if item["quantity"]:
            lines[item["line"]] = lines.get(item["line"], 0) + item["quantity"]
    return lines


class ShipSerializer(serializers.Serializer[Any]):
    """As the admin's "Mark shipped" form: without ``lines``, every unit not shipped yet."""

    carrier = serializers.ChoiceField(choices=[])
    service = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    tracking_url = serializers.URLField(required=False, allow_blank=True, max_length=500, default="")
    buy_label = serializers.BooleanField(required=False, default=False)
    lines = LineQuantitySerializer(many=True, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = list(CARRIERS)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["lines"] = _lines(attrs["lines"]) if "lines" in attrs else None
        return attrs


class RefundSerializer(serializers.Serializer[Any]):
    """As the admin's "Refund" form: an amount, or units of some lines (which
    ``restock`` may put back on the shelf)."""

    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    lines = LineQuantitySerializer(many=True, required=False)
    restock = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        lines = _lines(attrs.get("lines") or [])
        amount = attrs.get("amount")
        if (amount is None) == (not lines):
            raise serializers.ValidationError(_("Give either an amount or the units of some lines."))
        if attrs["restock"] and not lines:
            raise serializers.ValidationError({"restock": [_("Only refunded lines can be restocked.")]})
        return {**attrs, "amount": None if lines else amount, "lines": lines or None}


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class StaffNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=2000,
        help_text="For staff only: written in the order's history, never shown to the customer.",
    )


class RejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=2000, help_text="Why, for the customer's email and the history."
    )


class ReceiveSerializer(NoteSerializer):
    restock = serializers.BooleanField(help_text="Put the returned units back in stock (through the ledger).")


class ReturnFilterSerializer(serializers.Serializer[Any]):
    status = ReturnStatus(required=False)


# --- Catalog ------------------------------------------------------------------------------


class StaffProductFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False, max_length=200, help_text="Part of the title or slug, or a SKU."
    )
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_featured = serializers.BooleanField(required=False, allow_null=True, default=None)
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)
    brand = serializers.SlugField(required=False, max_length=140)
    category = serializers.IntegerField(required=False, min_value=1, help_text="With its descendants.")
    tag = serializers.SlugField(required=False, max_length=80)


class _NamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class StaffVariantSerializer(serializers.ModelSerializer[Variant]):
    price = MoneyField()
    compare_at_price = MoneyField(allow_null=True)
    sale_price = MoneyField(allow_null=True, help_text="After automatic promotions (kept by the shop).")
    stock_available = serializers.IntegerField(read_only=True)

    class Meta:
        model = Variant
        fields = (
            "id",
            "sku",
            "barcode",
            "price",
            "compare_at_price",
            "sale_price",
            "is_active",
            "position",
            "weight_grams",
            "stock_on_hand",
            "stock_reserved",
            "stock_available",
            "low_stock_threshold",
        )
        read_only_fields = fields


class StaffProductSerializer(serializers.ModelSerializer[Product]):
    brand = _NamedSerializer(read_only=True, allow_null=True)
    categories = _NamedSerializer(many=True, read_only=True)
    tags = _NamedSerializer(many=True, read_only=True)
    price_min = MoneyField(allow_null=True)
    price_max = MoneyField(allow_null=True)
    variants = StaffVariantSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields: tuple[str, ...] = (
            "id",
            "title",
            "slug",
            "brand",
            "categories",
            "tags",
            "is_active",
            "is_featured",
            "in_stock",
            "price_min",
            "price_max",
            "units_sold",
            "created_at",
            "updated_at",
            "variants",
        )
        read_only_fields: tuple[str, ...] = fields


class StaffProductDetailSerializer(StaffProductSerializer):
    class Meta(StaffProductSerializer.Meta):
        fields = (
            *StaffProductSerializer.Meta.fields,
            "description",
            "seo_title",
            "seo_description",
            "rating_average",
            "rating_count",
        )
        read_only_fields = fields


class ProductPatchSerializer(serializers.Serializer[Any]):
    """Some of these; checked by the product's model form, as the admin checks them."""

    title = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    is_active = serializers.BooleanField(required=False)
    is_featured = serializers.BooleanField(required=False)
    categories = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100, help_text="Category ids."
    )
    tags = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100, help_text="Tag ids."
    )


class VariantPatchSerializer(serializers.Serializer[Any]):
    """Some of these; checked by the variant's model form, as the admin checks them."""

    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)


PRODUCT_FORM_FIELDS = ("title", "description", "is_active", "is_featured", "categories", "tags")
VARIANT_FORM_FIELDS = ("price", "compare_at_price", "is_active")


def model_form_check(
    instance: Product | Variant, data: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """``data`` (some of ``fields``) checked by the model's form, as the admin
    checks its page (field and model validation); the cleaned values, or a
    ValidationError with each field's messages."""
    names = [name for name in fields if name in data]
    form_class = modelform_factory(type(instance), fields=names)
    form: forms.ModelForm[Any] = form_class(data=data, instance=instance)
    if not form.is_valid():
        raise serializers.ValidationError(
            {
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): [str(e) for e in errors]
                for name, errors in form.errors.items()
            }
        )
    return {name: form.cleaned_data[name] for name in names}


class StockAdjustSerializer(serializers.Serializer[Any]):
    """As the admin's "Adjust stock" form."""

    reason = serializers.ChoiceField(choices=[(r.value, r.label) for r in ADJUST_REASONS])
    quantity_change = serializers.IntegerField(
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text="Units to add; for an adjustment, a negative number removes units.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default="", help_text="A delivery note, ..."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        quantity, reason = attrs["quantity_change"], attrs["reason"]
        if quantity == 0:
            raise serializers.ValidationError({"quantity_change": [_("Enter a number other than zero.")]})
        if quantity < 0 and reason != StockMovement.Reason.ADJUSTMENT:
            raise serializers.ValidationError(
                {"quantity_change": [_("Only an adjustment can remove units.")]}
            )
        return attrs


class StockMovementSerializer(serializers.ModelSerializer[StockMovement]):
    created_by = _Email(source="created_by.email")

    class Meta:
        model = StockMovement
        fields = (
            "id",
            "reason",
            "on_hand_change",
            "reserved_change",
            "on_hand_after",
            "reserved_after",
            "note",
            "reference",
            "created_by",
            "created_at",
        )
        read_only_fields = fields


class StockAdjustedSerializer(serializers.Serializer[Any]):
    movement = StockMovementSerializer(read_only=True)
    variant = StaffVariantSerializer(read_only=True)


# --- Analytics ----------------------------------------------------------------------------

COMPARE_CHOICES = (
    ("previous", "The period just before"),
    ("year", "The same period a year before"),
    ("none", "No comparison"),
)


class AnalyticsQuerySerializer(serializers.Serializer[Any]):
    # "from" is a Python keyword: the field is named in __init__.
    to = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), included; today by default.")
    compare = serializers.ChoiceField(choices=COMPARE_CHOICES, required=False, default="previous")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.DateField(
            required=False, help_text="First day (YYYY-MM-DD), included; 30 days up to `to` by default."
        )


class FigureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="A number as a string; rates in percent.")
    compared = serializers.CharField(allow_null=True, help_text="The comparison period's value.")
    change = serializers.CharField(allow_null=True, help_text="Relative change: 0.2500 is +25 %.")


class PeriodSerializer(serializers.Serializer[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.DateField(source="first")
        self.fields["to"] = serializers.DateField(source="last")


class SummarySerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    compared_period = PeriodSerializer(allow_null=True)
    figures = FigureSerializer(many=True)


class ReportTableSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    period = PeriodSerializer()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_null=True)),
        help_text="Each cell as a string (numbers, dates) or null.",
    )
