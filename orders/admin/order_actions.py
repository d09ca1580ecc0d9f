"""The actions on one order in the admin (ship, deliver, cancel with refund,
refund, note): their forms, which of them the order page offers in each
state, and the one service call each makes."""

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from orders.admin.action_pages import NoteForm, OptionalNoteForm
from orders.lifecycle.cancellation import order_can_cancel, order_cancel
from orders.lifecycle.fulfilment import SHIPPABLE, order_mark_delivered, order_note_add, order_ship
from orders.lifecycle.refunds import order_refund
from orders.models import Order, OrderLine
from shipping.carriers import CARRIERS

S = Order.Status


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


def order_action_run(
    action: str, order: Order, data: dict[str, Any], form: forms.Form, by: User | None
) -> str:
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
