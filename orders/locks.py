"""Row locks of orders, in one place. Order of locking across the shop:
checkout, then order, then (through catalog.stock) variants in primary-key
order, then (through promotions) promo codes in primary-key order."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from orders.models import Checkout, Order, Return


def checkout_lock(*, checkout_id: int) -> Checkout:
    """The checkout locked, with its cart read in the same query (the cart
    row itself is not locked: ``of=("self",)``)."""
    return Checkout.objects.select_for_update(of=("self",)).select_related("cart").get(pk=checkout_id)


def order_lock(*, order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_lock_by_number(*, number: str) -> Order | None:
    return Order.objects.select_for_update().filter(number=number).first()


def return_lock(*, return_id: int) -> Return:
    """A return, locked; take its order's lock first (``order_lock``)."""
    return Return.objects.select_for_update().get(pk=return_id)


@contextmanager
def order_lock_for_payment(*, number: str) -> Iterator[Order | None]:
    """A transaction holding the order's lock, for a payment of it to move
    in: the payment's reaction runs in the payment's transaction and locks
    the order, so whoever moves a payment from outside an order lock takes
    it first, never after the payment's (a cancellation holds the order and
    then asks for the payment)."""
    with transaction.atomic():
        yield order_lock_by_number(number=number)
