"""The questions of orders: which order a customer may see."""

from collections.abc import Collection

from django.db.models import Q

from accounts.models import User
from orders.models import Order


def order_get_for_customer(*, number: str, user: User | None, placed_here: Collection[str] = ()) -> Order:
    """The order ``number`` with its lines, if it is the customer's: their
    own, or one this browser placed (guests keep the numbers of the orders
    they placed in their session). Anyone else's is ``Order.DoesNotExist``,
    so a guessed number reveals nothing."""
    mine = Q(number__in=list(placed_here))
    if user is not None:
        mine |= Q(user=user)
    return Order.objects.prefetch_related("lines").filter(mine).get(number=number)
