"""The questions of orders: which order a customer may see."""

from collections.abc import Collection
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet, Sum

from accounts.models import User
from orders.models import Order, OrderEvent, Return, ReturnLine


def order_get_for_customer(*, number: str, user: User | None, placed_here: Collection[str] = ()) -> Order:
    """The order ``number`` with its lines, if it is the customer's: their
    own, or one this browser placed (guests keep the numbers of the orders
    they placed in their session). Anyone else's is ``Order.DoesNotExist``,
    so a guessed number reveals nothing."""
    mine = Q(number__in=list(placed_here))
    if user is not None:
        mine |= Q(user=user)
    return Order.objects.prefetch_related("lines").filter(mine).get(number=number)


def orders_for_user(*, user: User, status: str = "") -> QuerySet[Order]:
    """A customer's orders, newest first, with how many items each holds
    (one query for a page, whatever its length)."""
    orders = Order.objects.filter(user=user)
    if status:
        orders = orders.filter(status=status)
    return orders.annotate(item_count=Sum("lines__quantity")).order_by("-created_at", "-pk")


def order_events(*, order: Order) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).order_by("created_at", "pk")


def order_find_for_tracking(*, number: str, email: str) -> Order | None:
    """The order with this number placed with this email (case-insensitive),
    or None, whichever of the two is wrong."""
    number, email = number.strip().upper(), email.strip()
    if not number or not email:
        return None
    return Order.objects.filter(number=number, email__iexact=email).first()


def order_returns(*, order: Order) -> list[Return]:
    """The order's returns, newest first, with their lines and the order
    lines they name (two queries whatever their number)."""
    return list(
        Return.objects.filter(order=order)
        .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line")))
        .order_by("-created_at", "-pk")
    )


# The orders that count as placed, for "first order only" codes.
ORDERS_PLACED = (
    Order.Status.PAID,
    Order.Status.PARTIALLY_SHIPPED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
    Order.Status.COMPLETED,
)


def customer_orders_count(*, user_id: int | None, email: str) -> int:
    """How many orders this user or email has placed and paid for."""
    who = Q(pk__in=[])
    if user_id is not None:
        who |= Q(user_id=user_id)
    if email:
        who |= Q(email__iexact=email)
    return Order.objects.filter(who, status__in=ORDERS_PLACED).count()


# --- Staff (the staff API; the admin's lists are its ModelAdmins) ---------------------------


def orders_for_staff(
    *,
    status: str = "",
    paid_from: datetime | None = None,
    paid_before: datetime | None = None,
    email: str = "",
    number: str = "",
) -> QuerySet[Order]:
    """Every order, newest first, with how many items each holds (one query
    for a page, whatever its length); filtered by status, paid in
    [``paid_from``, ``paid_before``), part of the email, or the number."""
    orders = Order.objects.all()
    if status:
        orders = orders.filter(status=status)
    if paid_from is not None:
        orders = orders.filter(paid_at__gte=paid_from)
    if paid_before is not None:
        orders = orders.filter(paid_at__lt=paid_before)
    if email:
        orders = orders.filter(email__icontains=email.strip())
    if number:
        orders = orders.filter(number=number.strip().upper())
    return orders.annotate(item_count=Sum("lines__quantity")).order_by("-created_at", "-pk")


def order_get_for_staff(*, number: str) -> Order:
    """Any order by its number, with its lines and how many items it holds
    (``Order.DoesNotExist`` if none)."""
    orders = Order.objects.annotate(item_count=Sum("lines__quantity")).prefetch_related("lines")
    return orders.get(number=number.strip().upper())


def order_events_for_staff(*, order: Order) -> QuerySet[OrderEvent]:
    """The order's whole history, staff notes included, with who wrote each line."""
    return order_events(order=order).select_related("by")


def returns_for_staff(*, status: str = "") -> QuerySet[Return]:
    """Every return, newest first, with its order and lines (three queries a page)."""
    returns = Return.objects.select_related("order").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
    )
    if status:
        returns = returns.filter(status=status)
    return returns.order_by("-created_at", "-pk")


def return_get_for_staff(*, number: str) -> Return:
    """Any return by its number (``Return.DoesNotExist`` if none)."""
    return returns_for_staff().get(number=number.strip().upper())
