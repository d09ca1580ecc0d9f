from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cart.models import Cart, CartLine, TaxRate
from cart.selectors import tax_rates_changed
from cart.services import tax_rate_save


class TaxRateForm(forms.ModelForm[TaxRate]):
    class Meta:
        model = TaxRate
        fields = ("country", "region", "tax_class", "rate", "name")

    def clean_country(self) -> str:
        country: str = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Use the two-letter ISO code, e.g. DE or US."))
        return country

    def clean_region(self) -> str:
        region: str = self.cleaned_data["region"]
        return region.strip().upper()


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin[TaxRate]):
    form = TaxRateForm
    list_display = ("country", "region", "tax_class", "rate", "name")
    list_filter = ("tax_class", "country")
    search_fields = ("country", "region", "name")
    ordering = ("country", "region", "tax_class")

    def save_model(self, request: HttpRequest, obj: TaxRate, form: Any, change: bool) -> None:
        tax_rate_save(rate=obj)

    def delete_model(self, request: HttpRequest, obj: TaxRate) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(tax_rates_changed)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TaxRate]) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(tax_rates_changed)


class CartLineInline(admin.TabularInline[CartLine, Cart]):
    model = CartLine
    extra = 0
    fields = ("title", "variant", "quantity", "price_when_added", "added_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Cart | None = None) -> bool:
        return False


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin[Cart]):
    """Read-only: carts belong to shoppers; staff look, to help them."""

    list_display = ("pk", "user", "line_count", "units", "promo_codes", "updated_at")
    list_filter = (("user", admin.EmptyFieldListFilter), "updated_at")
    search_fields = ("user__email",)
    readonly_fields = ("user", "promo_codes", "created_at", "updated_at")
    inlines = (CartLineInline,)
    date_hierarchy = "updated_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cart]:
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(line_count=Count("lines"), units=Sum("lines__quantity"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Cart | None = None) -> bool:
        return False

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, cart: Cart) -> int:
        return cart.line_count  # type: ignore[attr-defined]

    @admin.display(description=_("units"), ordering="units")
    def units(self, cart: Cart) -> int:
        return cart.units or 0  # type: ignore[attr-defined]
