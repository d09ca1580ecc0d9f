"""What the catalog's admin pages share."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from catalog.models import (
    ProductOptionValue,
)
from catalog.page_cache import catalog_generation_bump


def choices_freeze(field: forms.Field | None, queryset: QuerySet[Any], label: Callable[[Any], str]) -> None:
    """Give a model choice field of an inline a fixed list of choices, read
    once: otherwise every form of the formset runs its own query for them."""
    if not isinstance(field, forms.ModelChoiceField):
        return
    field.queryset = queryset
    choices = [(obj.pk, label(obj)) for obj in queryset]
    field.choices = (
        choices if isinstance(field, forms.ModelMultipleChoiceField) else [("", "---------"), *choices]
    )


def changed_columns(obj: models.Model, form: forms.ModelForm[Any]) -> dict[str, Any]:
    """What the admin's form changed on ``obj``, columns only (many-to-many
    fields are saved by the form afterwards), for the services' ``changes``."""
    fields = {field.name: field for field in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in form.changed_data if name in fields}


def option_value_label(value: ProductOptionValue) -> str:
    return f"{value.option.name}: {value.value}"


def product_option_values(product_id: int | None) -> QuerySet[ProductOptionValue]:
    if product_id is None:
        return ProductOptionValue.objects.none()
    return (
        ProductOptionValue.objects.filter(option__product_id=product_id)
        .select_related("option")
        .order_by("option__position", "option__pk", "position", "pk")
    )


class ShopperVisibleAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Deleting what shoppers see makes cached catalog pages stale (saves go
    through services that already do)."""

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        super().delete_model(request, obj)
        catalog_generation_bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        super().delete_queryset(request, queryset)
        catalog_generation_bump()
