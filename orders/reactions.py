"""How orders hear about the layers below: a settled payment, a sign-in, and
how many orders a customer has placed (for "first order only" codes). Each
reaction calls one service; they are connected in ``OrdersConfig.ready``."""

from typing import Any

from django.db.models import Q

from orders.models import Order
from payments.models import Payment

PAID_STATES = frozenset({Payment.Status.CAPTURED, Payment.Status.AUTHORIZED})
_COUNTED = (
    Order.Status.PAID,
    Order.Status.PARTIALLY_SHIPPED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
    Order.Status.COMPLETED,
)


def payment_settled(payment: Payment) -> None:
    """payments calls this after commit whenever a payment's status moved:
    money confirmed pays the order (or is given back if the order was
    cancelled meanwhile); a decline is written on an order awaiting payment."""
    from orders.services import order_mark_paid, order_payment_failed

    if payment.status in PAID_STATES:
        order_mark_paid(number=payment.order_reference, payment=payment)
    elif payment.status == Payment.Status.FAILED:
        order_payment_failed(number=payment.order_reference, payment=payment)


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
    from orders.fulfilment import order_shipment_changed
    from payments.listeners import payment_listeners_register
    from shipping.listeners import shipment_listeners_register
    from shop.pricing import customer_order_count_register

    payment_listeners_register(payment_settled)
    shipment_listeners_register(order_shipment_changed)
    lifecycle_emails.register()
    customer_order_count_register(customer_orders_count)
    user_logged_in.connect(guest_orders_claim, dispatch_uid="orders_guest_claim")
