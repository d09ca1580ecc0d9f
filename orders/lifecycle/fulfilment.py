"""Shipping an order and its delivery: the staff's "mark shipped" and "mark
delivered", and the carrier's tracking moving the order.

``order_ship`` locks the order, records a (possibly partial) shipment in the
shipping app, counts the units shipped on the order's lines and moves the
order to ``partially_shipped`` or ``shipped``. A shop that only authorises at
checkout (``PAYMENT_CAPTURE=manual``) captures the money with the first
shipment, in the same transaction: a capture the gateway refuses ships
nothing. The shipped email goes out after commit.
"""

import dataclasses
import logging
from collections.abc import Mapping

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from orders import locks
from orders.lifecycle.payment import order_payment_capture
from orders.lifecycle.transitions import OrderStateError, order_event_write, order_transition
from orders.models import Order, OrderLine
from orders.notices import order_notify
from payments.errors import PaymentError
from payments.models import Payment
from payments.selectors import payment_get_for_order
from reviews.services import purchases_record
from shipping.carriers import CARRIERS
from shipping.models import Shipment
from shipping.quotes import Destination, ShippingError
from shipping.selectors import shipment_get, shipments_for_reference
from shipping.services import (
    ShipmentLineInput,
    shipment_create,
    shipment_is_tracked,
    shipment_label_buy,
    shipment_status_record,
    shipment_tracking_refresh,
)
from shop.celery import ShopTask

logger = logging.getLogger(__name__)

SHIPPABLE = frozenset({Order.Status.PAID, Order.Status.PARTIALLY_SHIPPED})


def _destination(order: Order) -> Destination | None:
    names = {field.name for field in dataclasses.fields(Destination)}
    address = {key: str(value) for key, value in order.shipping_address.items() if key in names}
    if not address.get("country_code"):
        return None
    return Destination(**address)


def _to_ship(order: Order, lines: Mapping[int, int] | None) -> list[tuple[OrderLine, int]]:
    order_lines = {line.pk: line for line in order.lines.select_related("variant")}
    if lines is None:
        chosen = [(line, line.quantity - line.quantity_shipped) for line in order_lines.values()]
        return [(line, quantity) for line, quantity in chosen if quantity > 0]
    chosen = []
    for line_id, quantity in lines.items():
        line = order_lines.get(line_id)
        if line is None:
            raise OrderStateError(_("Line %(id)s is not a line of this order.") % {"id": line_id})
        if quantity < 0:
            raise OrderStateError(_("A shipped quantity cannot be negative."))
        left = line.quantity - line.quantity_shipped
        if quantity > left:
            raise OrderStateError(
                _("Only %(left)d of %(sku)s are left to ship.") % {"left": left, "sku": line.sku}
            )
        if quantity:
            chosen.append((line, quantity))
    return chosen


def _capture_if_manual(order: Order) -> None:
    if settings.PAYMENT_CAPTURE != "manual":
        return
    payment = payment_get_for_order(order_reference=order.number)
    if payment is None or payment.status != Payment.Status.AUTHORIZED:
        return
    try:
        order_payment_capture(payment=payment)
    except PaymentError as exc:
        raise OrderStateError(
            _("The payment could not be captured, so nothing was shipped: %(why)s") % {"why": exc}
        ) from None
    order_event_write(order, note=_("Payment captured at shipment."))


@transaction.atomic
def order_ship(
    *,
    order_id: int,
    by: User | None,
    carrier: str,
    tracking_number: str = "",
    tracking_url: str = "",
    lines: Mapping[int, int] | None = None,
    service: str = "",
    buy_label: bool = False,
) -> Shipment:
    """Ship ``lines`` ({order line id: quantity}; None: everything not yet
    shipped) of a paid order. Raises ``OrderStateError`` with a message for
    staff when the order cannot be shipped, a quantity is beyond what is left,
    the carrier refuses the shipment or its label, or the capture fails; then
    nothing is changed."""
    order = locks.order_lock(order_id=order_id)
    if order.status not in SHIPPABLE:
        raise OrderStateError(
            _("An order that is %(current)s cannot be shipped.")
            % {"current": order.get_status_display().lower()}
        )
    chosen = _to_ship(order, lines)
    if not chosen:
        raise OrderStateError(_("Nothing to ship: choose at least one unit."))
    if buy_label and (carrier not in CARRIERS or not CARRIERS[carrier].supports_labels):
        raise OrderStateError(_("%(carrier)s does not make labels.") % {"carrier": carrier})
    try:
        shipment = shipment_create(
            reference=order.number,
            carrier=carrier,
            service=service,
            lines=[
                ShipmentLineInput(
                    sku=line.sku,
                    title=line.product_title,
                    quantity=quantity,
                    variant_id=line.variant_id,
                    line_reference=line.pk,
                )
                for line, quantity in chosen
            ],
            destination=_destination(order),
            weight_grams=sum(line.variant.weight_grams * qty for line, qty in chosen if line.variant),
            tracking_number=tracking_number,
            tracking_url=tracking_url,
            ordered={line.pk: line.quantity for line in order.lines.all()},
            # Without a label to be scanned, the parcel left with the carrier:
            # it is in transit until the carrier's tracking (if any) says more.
            handed_over=not buy_label,
        )
        if buy_label:
            shipment = shipment_label_buy(shipment_id=shipment.pk)
    except ShippingError as exc:
        raise OrderStateError(str(getattr(exc, "message", exc))) from None
    if shipment_is_tracked(shipment=shipment):
        shipment_tracking_refresh_task.delay_on_commit(shipment.pk)
    for line, quantity in chosen:
        OrderLine.objects.filter(pk=line.pk).update(quantity_shipped=F("quantity_shipped") + quantity)
    _capture_if_manual(order)
    left = sum(
        quantity - shipped for quantity, shipped in order.lines.values_list("quantity", "quantity_shipped")
    )
    units = sum(quantity for _line, quantity in chosen)
    note = _("%(units)d unit(s) shipped with %(carrier)s%(tracking)s.") % {
        "units": units,
        "carrier": carrier,
        "tracking": f" ({shipment.tracking_number})" if shipment.tracking_number else "",
    }
    to = Order.Status.SHIPPED if left == 0 else Order.Status.PARTIALLY_SHIPPED
    if to == order.status:
        order_event_write(order, by=by, note=note)
    else:
        order_transition(order=order, to=to, by=by, note=note)
    order_notify(order=order, kind="shipped", key=f"shipment:{shipment.pk}")
    return shipment


@transaction.atomic
def order_mark_delivered(*, order_id: int, by: User | None = None, note: str = "") -> Order:
    """A shipped order arrived; an order in any other state is an
    ``OrderStateError``."""
    order = locks.order_lock(order_id=order_id)
    order_transition(order=order, to=Order.Status.DELIVERED, by=by, note=note or _("Delivered."))
    for shipment in shipments_for_reference(reference=order.number):
        if shipment.status not in Shipment.FINAL_STATUSES:  # what staff saw, on the parcels too
            shipment_status_record(
                shipment_id=shipment.pk, status=Shipment.Status.DELIVERED, description=_("Delivered.")
            )
    order.delivered_at = timezone.now()
    order.save(update_fields=["delivered_at"])
    order_notify(order=order, kind="delivered", key="delivered")
    if order.user is not None:  # what they received verifies their reviews of it
        purchases_record(
            user=order.user,
            reference=order.number,
            variants=[
                line.variant for line in order.lines.select_related("variant") if line.variant is not None
            ],
            delivered_at=order.delivered_at,
        )
    return order


def order_shipment_tracking_refresh(*, shipment_id: int) -> bool:
    """Ask the carrier where the parcel is (a poll, staff's button, just
    after shipping) and move the order if its status changed. Returns whether
    it changed."""
    changed = shipment_tracking_refresh(shipment_id=shipment_id)
    if changed:
        order_shipment_changed(shipment_get(shipment_id=shipment_id))
    return changed


# A failed refresh is logged by shipping and tried again by the next poll.
# Defined beside its service (order_ship queues it), not in tasks.py.
@shared_task(base=ShopTask, name="orders.shipment_tracking_refresh")
def shipment_tracking_refresh_task(shipment_id: int) -> bool:
    return order_shipment_tracking_refresh(shipment_id=shipment_id)


def order_shipment_changed(shipment: Shipment) -> None:
    """A shipment's tracking status changed (a carrier's webhook, a refresh):
    an order whose shipments have all arrived is delivered. Safe to call any
    number of times (a delivered order is left as it is)."""
    if shipment.status != Shipment.Status.DELIVERED:
        return
    with transaction.atomic():
        order = locks.order_lock_by_number(number=shipment.reference)
        if order is None or order.status != Order.Status.SHIPPED:
            return
        statuses = {
            s.status for s in shipments_for_reference(reference=order.number) if s.status != "cancelled"
        }
        if statuses == {Shipment.Status.DELIVERED}:
            order_mark_delivered(order_id=order.pk, note=_("Delivered, as the carrier reports."))


@transaction.atomic
def order_note_add(*, order_id: int, by: User | None, note: str) -> Order:
    """A note from staff in the order's history (no change of status)."""
    note = note.strip()
    if not note:
        raise OrderStateError(_("A note cannot be empty."))
    order = locks.order_lock(order_id=order_id)
    order_event_write(order, by=by, note=note)
    return order
