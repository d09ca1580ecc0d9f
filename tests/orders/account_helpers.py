"""Orders at any point of their life, made fast for the account pages' tests."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from cart.models import Cart
from orders.checkout.placement import order_place
from orders.lifecycle.payment import order_mark_paid
from orders.models import Order
from shipping.models import Shipment, ShippingMethod, TrackingEvent
from shipping.services import ShipmentLineInput, shipment_create
from tests.orders.factories import cart_of, checkout_ready, germany, pay, stocked_variants

_titles = itertools.count(1)


def paid_order(*, user: User | None = None, lines: int = 2, email: str = "ada@example.com") -> Order:
    variants = stocked_variants(*([5] * lines), title=f"Lamp {next(_titles)}", price=Decimal("20.00"))
    method = ShippingMethod.objects.filter(zone__name="Germany").first() or germany()
    if user is not None:  # one cart per user: the last order's (emptied) cart goes
        Cart.objects.filter(user=user).delete()
    checkout = checkout_ready(
        cart_of(*((variant, 1) for variant in variants), user=user), method, user=user, email=email
    )
    order = order_place(checkout=checkout, user=user)
    order_mark_paid(number=order.number, payment=pay(order))
    order.refresh_from_db()
    return order


def ship(order: Order, *, tracking: str = "1Z999", events: int = 2) -> Shipment:
    """Ship every line of ``order`` in one parcel with ``events`` tracking scans."""
    lines = list(order.lines.all())
    shipment = shipment_create(
        reference=order.number,
        carrier="table",
        service="Standard",
        lines=[
            ShipmentLineInput(line.sku, line.product_title, line.quantity, line_reference=line.pk)
            for line in lines
        ],
        tracking_number=tracking,
        tracking_url=f"https://track.example.com/{tracking}",
    )
    now = timezone.now()
    TrackingEvent.objects.bulk_create(
        TrackingEvent(
            shipment=shipment,
            occurred_at=now + timedelta(hours=n),
            place="Berlin",
            description=f"Scan {n}",
            status=Shipment.Status.IN_TRANSIT,
            dedupe_key=f"{tracking}-{n}",
        )
        for n in range(events)
    )
    return shipment
