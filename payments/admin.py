"""Staff see payments, refunds and webhook events; they change none of them
here. Payments move only on a gateway's answer, and refunds are made from the
order (the orders app calls ``payment_refund``), so these pages are read-only."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from payments.models import Payment, Refund, WebhookEvent


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


class RefundInline(admin.TabularInline[Refund, Payment]):
    model = Refund
    extra = 0
    fields = ("created_at", "amount", "status", "reason", "gateway_reference", "idempotency_key")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin[Payment]):
    list_display = (
        "order_reference",
        "created_at",
        "gateway",
        "status",
        "amount",
        "currency",
        "captured_amount",
        "refunded_amount",
        "card",
        "email",
    )
    list_filter = ("status", "gateway", "currency", "created_at")
    search_fields = ("order_reference", "gateway_reference", "email")
    date_hierarchy = "created_at"
    inlines = (RefundInline,)
    fieldsets = (
        (None, {"fields": ("order_reference", "email", "status", "failure_message")}),
        (_("Money"), {"fields": (("amount", "currency"), ("captured_amount", "refunded_amount"))}),
        (_("Gateway"), {"fields": ("gateway", "gateway_reference", "attempt", ("card_brand", "card_last4"))}),
        (_("Times"), {"fields": ("created_at", "updated_at", "last_event_at")}),
    )

    @admin.display(description=_("card"))
    def card(self, payment: Payment) -> str:
        return f"{payment.card_brand} •••• {payment.card_last4}" if payment.card_last4 else ""


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin[Refund]):
    list_display = ("payment", "created_at", "amount", "status", "reason")
    list_filter = ("status", "created_at")
    search_fields = ("payment__order_reference", "gateway_reference", "idempotency_key")
    list_select_related = ("payment",)


class ProcessedFilter(admin.SimpleListFilter):
    title = _("processed")
    parameter_name = "processed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Processed")), ("no", _("Not processed")), ("error", _("With an error"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(processed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(processed_at__isnull=True)
        if self.value() == "error":
            return queryset.exclude(error="")
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin[WebhookEvent]):
    list_display = ("event_id", "gateway", "type", "received_at", "processed_at", "error")
    list_filter = ("gateway", ProcessedFilter, "type")
    search_fields = ("event_id", "type")
    date_hierarchy = "received_at"
