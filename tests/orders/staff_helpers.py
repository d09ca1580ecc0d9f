"""Paid orders made fast, for the staff side of the lifecycle (shipping,
refunds, returns, admin): through the real checkout and test gateway."""

import itertools
from decimal import Decimal

from accounts.models import User
from cart.models import Cart
from catalog.models import Variant
from orders.checkout.placement import order_place
from orders.lifecycle.payment import order_mark_paid
from orders.models import Order
from payments.models import Payment
from payments.selectors import payment_get_for_order
from shipping.models import ShippingMethod
from tests.orders.factories import cart_of, checkout_ready, germany, pay, stocked_variants

_titles = itertools.count(1)


def paid_order(
    *quantities: int, user: User | None = None, price: Decimal = Decimal("10.00")
) -> tuple[Order, list[Variant]]:
    """An order of ``quantities`` of as many variants (10.00 each, 4.90
    shipping to Berlin), paid with the test gateway's good card."""
    variants = stocked_variants(
        *(q + 5 for q in quantities or (1,)), title=f"Lamp {next(_titles)}", price=price
    )
    method = ShippingMethod.objects.filter(zone__name="Germany").first() or germany()
    if user is not None:  # one cart per user: the last order's (emptied) cart goes
        Cart.objects.filter(user=user).delete()
    cart = cart_of(*zip(variants, quantities or (1,), strict=True), user=user)
    order = order_place(checkout=checkout_ready(cart, method, user=user), user=user)
    order_mark_paid(number=order.number, payment=pay(order))  # what the listener does after commit
    order.refresh_from_db()
    return order, variants


def line_ids(order: Order) -> list[int]:
    return list(order.lines.order_by("pk").values_list("pk", flat=True))


def payment_of(order: Order) -> Payment:
    payment = payment_get_for_order(order_reference=order.number)
    assert payment is not None
    return payment
