"""The admin of variants and their stock: adjustments with a reason, the low-stock list and the ledger."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import services
from catalog.admin.base import (
    ShopperVisibleAdmin,
    changed_columns,
    choices_freeze,
    option_value_label,
    product_option_values,
)
from catalog.models import (
    StockMovement,
    Variant,
)
from catalog.search import search_vector_refresh
from catalog.stock import ADJUST_REASONS, StockError, stock_adjust

# --- Variants and stock ---------------------------------------------------------


class StockAdjustForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=lambda: [("", "---------"), *((r.value, str(r.label)) for r in ADJUST_REASONS)],
    )
    quantity_change = forms.IntegerField(
        label=_("Quantity change"),
        help_text=_("Units to add; for an adjustment, a negative number removes units."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        required=False,
        help_text=_("A delivery note, an order number, ..."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        quantity, reason = cleaned.get("quantity_change"), cleaned.get("reason")
        if quantity == 0:
            self.add_error("quantity_change", _("Enter a number other than zero."))
        elif quantity is not None and quantity < 0 and reason and reason != StockMovement.Reason.ADJUSTMENT:
            self.add_error("quantity_change", _("Only an adjustment can remove units."))
        return cleaned


class LowStockFilter(admin.SimpleListFilter):
    """The low-stock list: variants whose available units (on hand minus
    reserved) are at or below their threshold, or gone."""

    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("low", _("Low stock")), ("out", _("Out of stock"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "low":
            return queryset.filter(stock_on_hand__lte=F("stock_reserved") + F("low_stock_threshold"))
        if self.value() == "out":
            return queryset.filter(stock_on_hand__lte=F("stock_reserved"))
        return queryset


@admin.register(Variant)
class VariantAdmin(ShopperVisibleAdmin[Variant]):
    """Variants are added on their product's page; here staff find them by
    SKU, see what runs low and adjust stock."""

    list_display = (
        "sku",
        "product",
        "price",
        "stock_on_hand",
        "stock_reserved",
        "available",
        "low_stock_threshold",
        "is_active",
    )
    list_select_related = ("product",)
    list_filter = (LowStockFilter, "is_active")
    search_fields = ("sku", "barcode", "product__title")
    fields = (
        "product",
        "sku",
        "barcode",
        "option_values",
        ("price", "compare_at_price"),
        "weight_grams",
        "is_active",
        "position",
        "low_stock_threshold",
        ("stock_on_hand", "stock_reserved", "stock_adjust_link"),
    )
    readonly_fields = ("product", "stock_on_hand", "stock_reserved", "stock_adjust_link")
    actions = ("stock_adjust_action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Variant | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        choices_freeze(
            form.base_fields.get("option_values"),
            product_option_values(obj.product_id if obj else None),
            option_value_label,
        )
        return form

    def save_model(self, request: HttpRequest, obj: Variant, form: Any, change: bool) -> None:
        """Only the changed columns, under the variant's lock: never the stock the form read."""
        if change:
            services.variant_update(variant_id=obj.pk, changes=changed_columns(obj, form))
        else:
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.product_listing_refresh(product_ids=[form.instance.product_id])
        search_vector_refresh(product_ids=[form.instance.product_id])

    @admin.display(description=_("available"))
    def available(self, obj: Variant) -> int:
        return obj.stock_available

    @admin.display(description=_("stock"))
    def stock_adjust_link(self, obj: Variant) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:catalog_variant_stock_adjust", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Adjust stock"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/adjust-stock/",
                self.admin_site.admin_view(self.stock_adjust_view),
                name="catalog_variant_stock_adjust",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Adjust stock of the selected variants"), permissions=["change"])
    def stock_adjust_action(self, request: HttpRequest, queryset: QuerySet[Variant]) -> HttpResponse | None:
        """The intermediate page: the same change, with its reason, for every
        selected variant, all or none."""
        variants = list(queryset.select_related("product").order_by("pk"))
        form = StockAdjustForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and self._stock_adjust(request, form, variants):
            return None  # back to the change list, with the message
        return self._stock_adjust_render(request, form, variants, action=True)

    def stock_adjust_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The same page for one variant, linked from its change page and
        from its product's variants."""
        variant = get_object_or_404(Variant.objects.select_related("product"), pk=object_id)
        if not self.has_change_permission(request, variant):
            raise PermissionDenied
        form = StockAdjustForm(request.POST if request.method == "POST" else None)
        if form.is_bound and self._stock_adjust(request, form, [variant]):
            return HttpResponseRedirect(reverse("admin:catalog_variant_change", args=[variant.pk]))
        return self._stock_adjust_render(request, form, [variant], action=False)

    def _stock_adjust(self, request: HttpRequest, form: StockAdjustForm, variants: list[Variant]) -> bool:
        if not form.is_valid():
            return False
        data = form.cleaned_data
        by = request.user if request.user.is_authenticated else None
        try:
            with transaction.atomic():
                for variant in variants:
                    stock_adjust(
                        variant=variant,
                        quantity_change=data["quantity_change"],
                        reason=data["reason"],
                        note=data["note"],
                        reference=data["reference"],
                        by=by,
                    )
        except StockError as error:
            form.add_error(None, str(error))
            return False
        self.message_user(
            request,
            ngettext(
                "Stock of %(skus)s changed by %(change)+d.",
                "Stock of %(skus)s changed by %(change)+d each.",
                len(variants),
            )
            % {"skus": ", ".join(v.sku for v in variants), "change": data["quantity_change"]},
            messages.SUCCESS,
        )
        return True

    def _stock_adjust_render(
        self, request: HttpRequest, form: StockAdjustForm, variants: list[Variant], *, action: bool
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Adjust stock"),
            "opts": self.opts,
            "form": form,
            "variants": variants,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/catalog/variant/stock_adjust.html", context)


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin[StockMovement]):
    """The stock ledger, read-only: rows are written by catalog.stock only."""

    list_display = (
        "created_at",
        "variant",
        "product_title",
        "reason",
        "on_hand_change",
        "reserved_change",
        "on_hand_after",
        "reserved_after",
        "reference",
        "created_by",
        "note",
    )
    list_select_related = ("variant__product", "created_by")
    list_filter = ("reason", "created_at")
    search_fields = ("variant__sku", "reference")
    search_help_text = _("SKU or reference.")
    # The ledger grows forever: no COUNT(*) of the whole table on every page.
    show_full_result_count = False

    @admin.display(description=_("product"), ordering="variant__product__title")
    def product_title(self, obj: StockMovement) -> str:
        return obj.variant.product.title

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False
