"""Staff's orders: the list with filters, search and CSV export, and the
order page with its lines, events, returns, payments, refunds and shipments,
linking the actions that its state allows (``order_actions``)."""

import csv
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.selectors import notifications_about
from orders.admin.action_pages import ActionPagesMixin, action_page, staff_user
from orders.admin.order_actions import ACTIONS, OFFERED, order_action_run
from orders.lifecycle.fulfilment import order_ship
from orders.lifecycle.transitions import OrderStateError
from orders.models import Order, OrderEvent, OrderLine, Return
from orders.pages import address_lines
from payments.models import Payment
from payments.selectors import payment_list_for_order, refund_list_for_payment
from shipping.selectors import shipments_for_reference

# --- Filters ------------------------------------------------------------------------


class PaymentStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("payment state")
    parameter_name = "payment"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Payment.Status.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if not self.value():
            return queryset
        references = Payment.objects.filter(status=self.value()).values("order_reference")
        return queryset.filter(number__in=references)


class CountryFilter(admin.SimpleListFilter):
    title = gettext_lazy("shipping country")
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        codes = Order.objects.values_list("shipping_address__country_code", flat=True).distinct()
        return sorted((code, code) for code in codes if code)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if not self.value():
            return queryset
        return queryset.filter(shipping_address__country_code=self.value())


# --- Inlines --------------------------------------------------------------------------


class _ReadOnlyInline[M: Any](admin.TabularInline[M, Order]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderLineInline(_ReadOnlyInline[OrderLine]):
    model = OrderLine
    fields = readonly_fields = (
        "product_title",
        "sku",
        "unit_price",
        "quantity",
        "discount",
        "tax",
        "total",
        "quantity_shipped",
        "quantity_returned",
    )


class OrderEventInline(_ReadOnlyInline[OrderEvent]):
    model = OrderEvent
    fields = readonly_fields = ("created_at", "by", "from_status", "to_status", "note")


class ReturnInline(_ReadOnlyInline[Return]):
    model = Return
    fields = readonly_fields = ("number", "status", "reason", "staff_note", "created_at")
    show_change_link = True


# --- The order admin ------------------------------------------------------------------


@admin.register(Order)
class OrderAdmin(ActionPagesMixin, admin.ModelAdmin[Order]):
    list_display = ("number", "created_at", "status", "email", "country", "total", "paid_at")
    list_filter = ("status", PaymentStateFilter, "created_at", CountryFilter)
    search_fields = ("number", "email", "shipping_address__full_name", "billing_address__full_name")
    date_hierarchy = "created_at"
    inlines = (OrderLineInline, OrderEventInline, ReturnInline)
    actions = ("mark_shipped", "export_csv")
    fields = readonly_fields = (
        "number",
        "status",
        "action_links",
        "email",
        "user",
        "total",
        "subtotal",
        "discount_total",
        "shipping_price",
        "tax_total",
        "created_at",
        "paid_at",
        "delivered_at",
        "cancelled_at",
        "shipping_address_lines",
        "billing_address_lines",
        "payments_table",
        "shipments_table",
        "messages_table",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("country"))
    def country(self, order: Order) -> str:
        return str(order.shipping_address.get("country_code", ""))

    @admin.display(description=gettext_lazy("actions"))
    def action_links(self, order: Order) -> SafeString:
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:orders_order_action", args=(order.pk, name)), label)
                for name, (label, _form) in ACTIONS.items()
                if OFFERED[name](order)
            ),
        )

    @admin.display(description=gettext_lazy("shipping address"))
    def shipping_address_lines(self, order: Order) -> SafeString:
        return _address_html(order.shipping_address)

    @admin.display(description=gettext_lazy("billing address"))
    def billing_address_lines(self, order: Order) -> SafeString:
        return _address_html(order.billing_address)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Nothing on the page is edited in place: no save buttons (the actions change orders)."""
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.display(description=gettext_lazy("payments and refunds"))
    def payments_table(self, order: Order) -> SafeString:
        rows: list[tuple[Any, ...]] = []
        for payment in payment_list_for_order(order_reference=order.number):
            rows.append(
                (
                    _("payment"),
                    payment.gateway,
                    payment.get_status_display(),
                    payment.amount,
                    payment.captured_amount,
                    payment.refunded_amount,
                )
            )
            for refund in refund_list_for_payment(payment=payment):
                rows.append((_("refund"), refund.reason, refund.get_status_display(), refund.amount, "", ""))
        return _table(
            ("", _("gateway / reason"), _("status"), _("amount"), _("captured"), _("refunded")), rows
        )

    @admin.display(description=gettext_lazy("shipments"))
    def shipments_table(self, order: Order) -> SafeString:
        rows = [
            (
                shipment.created_at.date(),
                shipment.carrier,
                shipment.tracking_number,
                shipment.get_status_display(),
                ", ".join(f"{line.quantity} x {line.sku}" for line in shipment.lines.all()),
            )
            for shipment in shipments_for_reference(reference=order.number)
        ]
        return _table((_("date"), _("carrier"), _("tracking"), _("status"), _("lines")), rows)

    @admin.display(description=gettext_lazy("messages to the customer"))
    def messages_table(self, order: Order) -> SafeString:
        """What the outbox owes or sent about this order; an email owed for
        long is queued again by beat."""
        rows = [
            (
                notification.created_at,
                notification.kind.removeprefix("order."),
                notification.email or "—",
                notification.sent_at or (_("owed") if notification.email else ""),
                notification.last_error,
            )
            for notification in notifications_about(kind_prefix="order.", key_prefix=f"{order.number}:")
        ]
        return _table((_("created"), _("kind"), _("email"), _("sent"), _("last error")), rows)

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        order = get_object_or_404(Order, pk=pk)
        if action not in ACTIONS or not self.has_change_permission(request, order):
            return HttpResponse(status=404)
        title, form_class = ACTIONS[action]
        form = form_class(request.POST or None, order=order)
        return action_page(
            self,
            request,
            order=order,
            title=title,
            form=form,
            run=lambda: order_action_run(action, order, form.cleaned_data, form, staff_user(request)),
            done_url=reverse("admin:orders_order_change", args=(order.pk,)),
        )

    @admin.action(
        description=gettext_lazy("Mark shipped (all unshipped lines, carrier table)"), permissions=["change"]
    )
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        shipped = 0
        for order in queryset.order_by("pk"):
            try:
                order_ship(order_id=order.pk, by=staff_user(request), carrier="table")
            except OrderStateError as exc:
                self.message_user(request, f"{order.number}: {exc.message}", messages.ERROR)
            else:
                shipped += 1
        if shipped:
            self.message_user(
                request, _("%(count)d order(s) shipped.") % {"count": shipped}, messages.SUCCESS
            )

    @admin.action(description=gettext_lazy("Export as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="orders.csv"'
        writer = csv.writer(response)
        writer.writerow(("number", "date", "status", "email", "country", "total", "paid_at"))
        for order in queryset.order_by("created_at", "pk").iterator():
            writer.writerow(
                (
                    order.number,
                    order.created_at.isoformat(),
                    order.status,
                    _csv_safe(order.email),
                    self.country(order),
                    order.total,
                    order.paid_at.isoformat() if order.paid_at else "",
                )
            )
        return response


def _address_html(address: dict[str, Any]) -> SafeString:
    """An address snapshot as the lines of a label, each escaped."""
    return format_html_join("", "{}<br>", ((line,) for line in address_lines(address)))


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _table(head: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> SafeString:
    if not rows:
        return format_html("{}", "-")
    header = format_html_join("", "<th>{}</th>", ((cell,) for cell in head))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", header, body)
