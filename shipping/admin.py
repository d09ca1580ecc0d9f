import itertools
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.addressing import country_choices
from shipping import services
from shipping.models import (
    CarrierWebhookEvent,
    RateBand,
    Shipment,
    ShipmentLine,
    ShippingMethod,
    ShippingZone,
    TrackingEvent,
)
from shipping.quotes import ShippingError
from shipping.rates import postcode_pattern_error


class ShippingZoneForm(forms.ModelForm[ShippingZone]):
    """Countries picked from the address data's list, stored as ISO codes."""

    countries = forms.MultipleChoiceField(
        label=_("countries"),
        required=False,
        choices=country_choices,
        widget=FilteredSelectMultiple(_("countries"), is_stacked=False),
    )

    class Meta:
        model = ShippingZone
        fields = ("name", "countries", "rest_of_world", "postcode_patterns", "position")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["countries"] = self.instance.country_codes

    def clean_countries(self) -> str:
        return ",".join(sorted(self.cleaned_data["countries"]))

    def clean_postcode_patterns(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["postcode_patterns"].splitlines() if line.strip()]
        errors = [error for line in lines if (error := postcode_pattern_error(line))]
        if errors:
            raise forms.ValidationError(errors)
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("countries") and not data.get("rest_of_world"):
            self.add_error("countries", _("Choose the zone's countries, or make it the rest of the world."))
        return data


class RateBandFormSet(forms.BaseInlineFormSet[RateBand, ShippingMethod, forms.ModelForm[RateBand]]):
    """Bands of one method may not overlap: every amount has one price."""

    def clean(self) -> None:
        super().clean()
        bands = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("from_value") is None:
                continue
            bands.append((data["from_value"], data.get("below_value")))
        bands.sort(key=lambda band: band[0])
        for (low, high), (next_low, _next_high) in itertools.pairwise(bands):
            if high is None or high > next_low:
                raise forms.ValidationError(
                    _("The bands from %(a)s and from %(b)s overlap.") % {"a": low, "b": next_low}
                )


class RateBandInline(admin.TabularInline[RateBand, ShippingMethod]):
    model = RateBand
    formset = RateBandFormSet
    extra = 0
    fields = ("from_value", "below_value", "price")


class ShippingMethodInline(admin.TabularInline[ShippingMethod, ShippingZone]):
    model = ShippingMethod
    extra = 0
    show_change_link = True
    fields = ("name", "kind", "price", "free_from", "delivery_estimate", "tax_class", "is_active", "position")


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin[ShippingZone]):
    form = ShippingZoneForm
    inlines = (ShippingMethodInline,)
    list_display = ("name", "countries_short", "rest_of_world", "has_postcodes", "method_count", "position")
    list_editable = ("position",)
    list_filter = ("rest_of_world",)
    search_fields = ("name", "countries")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShippingZone]:
        return super().get_queryset(request).annotate(method_count=Count("methods"))

    @admin.display(description=_("countries"))
    def countries_short(self, zone: ShippingZone) -> str:
        codes = zone.country_codes
        return ", ".join(codes[:8]) + (f" (+{len(codes) - 8})" if len(codes) > 8 else "")

    @admin.display(description=_("postcodes"), boolean=True)
    def has_postcodes(self, zone: ShippingZone) -> bool:
        return bool(zone.patterns)

    @admin.display(description=_("methods"), ordering="method_count")
    def method_count(self, zone: ShippingZone) -> int:
        return int(getattr(zone, "method_count", 0))


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin[ShippingMethod]):
    inlines = (RateBandInline,)
    list_display = (
        "name",
        "zone",
        "kind",
        "price",
        "free_from",
        "delivery_estimate",
        "tax_class",
        "is_active",
    )
    list_filter = ("kind", "is_active", "tax_class", "zone")
    list_select_related = ("zone",)
    search_fields = ("name", "zone__name")
    fields = (
        "zone",
        "name",
        "kind",
        "price",
        "free_from",
        "delivery_estimate",
        "tax_class",
        "is_active",
        "position",
    )


class ShipmentLineInline(admin.TabularInline[ShipmentLine, Shipment]):
    model = ShipmentLine
    extra = 0
    raw_id_fields = ("variant",)
    fields = ("sku", "title", "quantity", "line_reference", "variant")


class TrackingEventInline(admin.TabularInline[TrackingEvent, Shipment]):
    model = TrackingEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "status", "place", "description", "received_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Shipment | None = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    inlines = (ShipmentLineInline, TrackingEventInline)
    list_display = (
        "reference",
        "carrier",
        "service",
        "tracking_number",
        "status",
        "tracked_at",
        "created_at",
    )
    list_filter = ("status", "carrier", "created_at")
    search_fields = ("reference", "tracking_number", "carrier_reference")
    date_hierarchy = "created_at"
    readonly_fields = ("carrier_reference", "tracked_at", "created_at", "updated_at")
    # The orders' admin adds "refresh tracking" (orders.admin.shipment_admin):
    # a status the carrier reports may deliver an order.
    actions: tuple[str, ...] = ("buy_label",)

    @admin.action(description=_("Buy the carrier's label"), permissions=["change"])
    def buy_label(self, request: HttpRequest, queryset: QuerySet[Shipment]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            try:
                shipment = services.shipment_label_buy(shipment_id=pk)
            except ShippingError as exc:
                self.message_user(request, f"#{pk}: {exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Label bought: %(n)s") % {"n": shipment.tracking_number})


@admin.register(CarrierWebhookEvent)
class CarrierWebhookEventAdmin(admin.ModelAdmin[CarrierWebhookEvent]):
    list_display = ("carrier", "event_id", "kind", "received_at")
    list_filter = ("carrier", "kind")
    search_fields = ("event_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CarrierWebhookEvent | None = None) -> bool:
        return False
