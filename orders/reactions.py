"""How orders hear about a sign-in: the one "anyone may listen" event they
take as a Django signal, connected in ``OrdersConfig.ready``. Payments and
shipments are followed by explicit calls (``orders.lifecycle.payment``,
``orders.lifecycle.fulfilment``)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in

from orders.checkout.placement import orders_guest_claim


def guest_orders_claim(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A guest who signs up (or in) with the email of earlier guest orders
    finds them in their history. Only verified addresses claim orders."""
    orders_guest_claim(user=user)


def connect() -> None:
    user_logged_in.connect(guest_orders_claim, dispatch_uid="orders_guest_claim")
