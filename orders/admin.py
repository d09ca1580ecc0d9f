"""Staff's orders: the list with filters, search and CSV export, the order
page with its lines, events, returns, payments, refunds and shipments, and
the actions (ship, deliver, cancel with refund, refund, note; approve,
reject, receive and refund a return). Each action is one service call that
checks the state; a refusal is an admin message, never a 500."""

import csv
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from orders.cancellation import order_can_cancel, order_cancel
from orders.fulfilment import SHIPPABLE, order_mark_delivered, order_note_add, order_ship
from orders.models import Order, OrderEmail, OrderEvent, OrderLine, Return, ReturnLine
from orders.pages import address_lines
from orders.refunds import order_refund
from orders.returns import return_approve, return_receive, return_refund, return_reject
from orders.services import OrderStateError
from payments.models import Payment
from payments.selectors import payment_list_for_order, refund_list_for_payment
from shipping.carriers import CARRIERS
from shipping.selectors import shipments_for_reference

S = Order.Status


def _staff(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


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


class OrderEmailInline(_ReadOnlyInline[OrderEmail]):
    """The status emails owed and sent; one unsent for long is queued again by beat."""

    model = OrderEmail
    fields = readonly_fields = ("kind", "key", "created_at", "sent_at")


class ReturnInline(_ReadOnlyInline[Return]):
    model = Return
    fields = readonly_fields = ("number", "status", "reason", "staff_note", "created_at")
    show_change_link = True


# --- Action forms -----------------------------------------------------------------------


def _line_fields(form: forms.Form, order: Order, *, initial: Callable[[OrderLine], int]) -> None:
    for line in order.lines.all():
        form.fields[f"line_{line.pk}"] = forms.IntegerField(
            label=f"{line.product_title} ({line.sku}), {line.quantity_shipped}/{line.quantity} shipped",
            min_value=0,
            max_value=line.quantity,
            initial=initial(line),
            required=False,
        )


def _lines(form: forms.Form) -> dict[int, int]:
    return {
        int(name.removeprefix("line_")): value
        for name, value in form.cleaned_data.items()
        if name.startswith("line_") and value
    }


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=gettext_lazy("carrier"), choices=[])
    service = forms.CharField(label=gettext_lazy("service"), required=False)
    tracking_number = forms.CharField(label=gettext_lazy("tracking number"), required=False)
    tracking_url = forms.URLField(
        label=gettext_lazy("tracking link"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("The carrier's page for this parcel, shown to the customer."),
    )
    buy_label = forms.BooleanField(label=gettext_lazy("buy a label from the carrier"), required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [(name, name) for name in CARRIERS]  # type: ignore[attr-defined]
        _line_fields(self, order, initial=lambda line: line.quantity - line.quantity_shipped)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class OptionalNoteForm(NoteForm):
    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.fields["note"].required = False


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    restock = forms.BooleanField(label=gettext_lazy("put the refunded lines back in stock"), required=False)
    reason = forms.CharField(label=gettext_lazy("reason"), required=False)
    # One per form shown: submitting the same form twice refunds once.
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = f"admin:{order.number}:{uuid.uuid4().hex}"
        _line_fields(self, order, initial=lambda line: 0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("amount") is None) == (not _lines(self)):
            raise forms.ValidationError(_("Give either an amount or the units of some lines."))
        return data


def _action_page(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    *,
    order: Order,
    title: Any,
    form: forms.Form,
    run: Callable[[], str],
    done_url: str,
    subject: str = "",
) -> HttpResponse:
    """The page of one staff action: its form, then one service call on a
    valid POST; a refusal (``OrderStateError``) is an error message on the
    same page, a success goes back to ``done_url`` with its message."""
    if request.method == "POST" and form.is_valid():
        try:
            done = run()
        except OrderStateError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(done_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "order": order,
        "subject": subject or order.number,
        "done_url": done_url,
        "form": form,
        "title": title,
    }
    return TemplateResponse(request, "admin/orders/order/action_form.html", context)


class ActionPagesMixin:
    """An admin with a page per action at ``<pk>/do/<action>/``, named
    ``<app>_<model>_action``; ``action_view`` refuses staff who may not
    change the object (a 404, as for an unknown action)."""

    def get_urls(self) -> list[URLPattern]:
        admin_view = self.admin_site.admin_view  # type: ignore[attr-defined]
        opts = self.opts  # type: ignore[attr-defined]
        extra = [
            path(
                "<int:pk>/do/<str:action>/",
                admin_view(self.action_view),  # type: ignore[attr-defined]
                name=f"{opts.app_label}_{opts.model_name}_action",
            )
        ]
        return extra + super().get_urls()  # type: ignore[misc]


# --- The order admin ------------------------------------------------------------------

ACTIONS = {
    "ship": (gettext_lazy("Mark shipped"), ShipForm),
    "deliver": (gettext_lazy("Mark delivered"), OptionalNoteForm),
    "cancel": (gettext_lazy("Cancel and refund"), OptionalNoteForm),
    "refund": (gettext_lazy("Refund"), RefundForm),
    "note": (gettext_lazy("Add a note"), NoteForm),
}
_PAID = {S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.COMPLETED}
# Which actions the order page links in each state; the services still decide.
OFFERED: dict[str, Callable[[Order], bool]] = {
    "ship": lambda order: order.status in SHIPPABLE,
    "deliver": lambda order: order.status == S.SHIPPED,
    "cancel": order_can_cancel,
    "refund": lambda order: order.status in _PAID,
    "note": lambda order: True,
}


def _run(action: str, order: Order, data: dict[str, Any], form: forms.Form, by: User | None) -> str:
    """One service call per action; the success message."""
    if action == "ship":
        shipment = order_ship(
            order_id=order.pk,
            by=by,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            tracking_url=data["tracking_url"],
            service=data["service"],
            lines=_lines(form),
            buy_label=data["buy_label"],
        )
        return _("Shipment %(id)s recorded.") % {"id": shipment.pk}
    if action == "deliver":
        order_mark_delivered(order_id=order.pk, by=by, note=data["note"])
        return _("Marked delivered.")
    if action == "cancel":
        order_cancel(order_id=order.pk, by=by, note=data["note"])
        return _("Cancelled; the payment is given back.")
    if action == "refund":
        lines = _lines(form)
        refund = order_refund(
            order_id=order.pk,
            by=by,
            amount=None if lines else data["amount"],
            lines=lines or None,
            restock=data["restock"] and bool(lines),
            key=data["key"],
            reason=data["reason"],
        )
        return _("Refunded %(amount)s.") % {"amount": refund.amount}
    order_note_add(order_id=order.pk, by=by, note=data["note"])
    return _("Note added.")


@admin.register(Order)
class OrderAdmin(ActionPagesMixin, admin.ModelAdmin[Order]):
    list_display = ("number", "created_at", "status", "email", "country", "total", "paid_at")
    list_filter = ("status", PaymentStateFilter, "created_at", CountryFilter)
    search_fields = ("number", "email", "shipping_address__full_name", "billing_address__full_name")
    date_hierarchy = "created_at"
    inlines = (OrderLineInline, OrderEventInline, ReturnInline, OrderEmailInline)
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

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        order = get_object_or_404(Order, pk=pk)
        if action not in ACTIONS or not self.has_change_permission(request, order):
            return HttpResponse(status=404)
        title, form_class = ACTIONS[action]
        form = form_class(request.POST or None, order=order)
        return _action_page(
            self,
            request,
            order=order,
            title=title,
            form=form,
            run=lambda: _run(action, order, form.cleaned_data, form, _staff(request)),
            done_url=reverse("admin:orders_order_change", args=(order.pk,)),
        )

    @admin.action(
        description=gettext_lazy("Mark shipped (all unshipped lines, carrier table)"), permissions=["change"]
    )
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        shipped = 0
        for order in queryset.order_by("pk"):
            try:
                order_ship(order_id=order.pk, by=_staff(request), carrier="table")
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


# --- Returns --------------------------------------------------------------------------


class ReturnLineInline(admin.TabularInline[ReturnLine, Return]):
    model = ReturnLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("order_line", "quantity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


RS = Return.Status
# The action pages of one return: the label, the status it leads from, and the service call.
RETURN_ACTIONS: dict[str, tuple[Any, str, Callable[[Return, User | None, str], object]]] = {
    "approve": (
        gettext_lazy("Approve"),
        RS.REQUESTED,
        lambda r, by, note: return_approve(return_id=r.pk, by=by, note=note),
    ),
    "reject": (
        gettext_lazy("Reject"),
        RS.REQUESTED,
        lambda r, by, note: return_reject(return_id=r.pk, by=by, note=note),
    ),
    "receive_restock": (
        gettext_lazy("Receive and put back in stock"),
        RS.APPROVED,
        lambda r, by, note: return_receive(return_id=r.pk, by=by, restock=True, note=note),
    ),
    "receive": (
        gettext_lazy("Receive without restocking"),
        RS.APPROVED,
        lambda r, by, note: return_receive(return_id=r.pk, by=by, restock=False, note=note),
    ),
    "refund": (
        gettext_lazy("Refund"),
        RS.RECEIVED,
        lambda r, by, note: return_refund(return_id=r.pk, by=by, note=note),
    ),
}


def _return_action(name: str) -> Callable[[Any, HttpRequest, QuerySet[Return]], None]:
    """The list's bulk action of one of ``RETURN_ACTIONS``."""
    label, _source, run = RETURN_ACTIONS[name]

    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Return]) -> None:
        for ret in queryset.order_by("pk"):
            try:
                run(ret, _staff(request), "")
            except OrderStateError as exc:
                modeladmin.message_user(request, f"{ret.number}: {exc.message}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{ret.number}: {label}", messages.SUCCESS)

    return admin.action(description=label, permissions=["change"])(action)


@admin.register(Return)
class ReturnAdmin(ActionPagesMixin, admin.ModelAdmin[Return]):
    list_display = ("number", "order", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("number", "order__number", "order__email")
    list_select_related = ("order",)
    fields = ("number", "order", "status", "action_links", "reason", "staff_note", "created_at", "updated_at")
    readonly_fields = ("number", "order", "status", "action_links", "reason", "created_at", "updated_at")
    inlines = (ReturnLineInline,)
    actions = ("approve", "reject", "receive_restock", "receive", "refund")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Return | None = None) -> bool:
        return False

    approve = _return_action("approve")
    reject = _return_action("reject")
    receive_restock = _return_action("receive_restock")
    receive = _return_action("receive")
    refund = _return_action("refund")

    @admin.display(description=gettext_lazy("actions"))
    def action_links(self, ret: Return) -> SafeString:
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:orders_return_action", args=(ret.pk, name)), label)
                for name, (label, source, _run) in RETURN_ACTIONS.items()
                if ret.status == source
            ),
        )
        status = ret.get_status_display().lower()
        return links or format_html("{}", _("none: the return is %(status)s") % {"status": status})

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        ret = get_object_or_404(Return.objects.select_related("order"), pk=pk)
        if action not in RETURN_ACTIONS or not self.has_change_permission(request, ret):
            return HttpResponse(status=404)
        title, _source, run = RETURN_ACTIONS[action]
        form = OptionalNoteForm(request.POST or None, order=ret.order)

        def done() -> str:
            run(ret, _staff(request), form.cleaned_data["note"])
            return _("Return %(number)s: %(action)s done.") % {"number": ret.number, "action": title}

        return _action_page(
            self,
            request,
            order=ret.order,
            title=title,
            form=form,
            run=done,
            done_url=reverse("admin:orders_return_change", args=(ret.pk,)),
            subject=ret.number,
        )
