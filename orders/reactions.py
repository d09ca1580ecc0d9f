"""How orders hear about the layers below: a sign-in, and how many orders a
customer has placed (for "first order only" codes). Payments and shipments
are followed by explicit calls (``orders.payment_flow``, ``orders.fulfilment``)."""

from typing import Any

from django.db.models import Q

from orders.models import Order

_COUNTED = (
    Order.Status.PAID,
    Order.Status.PARTIALLY_SHIPPED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
    Order.Status.COMPLETED,
)


def customer_orders_count(user_id: int | None, email: str) -> int:
    who = Q(pk__in=[])
    if user_id is not None:
        who |= Q(user_id=user_id)
    if email:
        who |= Q(email__iexact=email)
    return Order.objects.filter(who, status__in=_COUNTED).count()


def guest_orders_claim(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A guest who signs up (or in) with the email of earlier guest orders
    finds them in their history. Only verified addresses claim orders."""
    from orders.services import orders_guest_claim

    orders_guest_claim(user=user)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    from orders import lifecycle_emails
    from shop.pricing import customer_order_count_register

    lifecycle_emails.register()
    customer_order_count_register(customer_orders_count)
    user_logged_in.connect(guest_orders_claim, dispatch_uid="orders_guest_claim")
