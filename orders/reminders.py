"""Reminders: a cart left with items in it, and a delivered order's request
for reviews.

A shopper we can write to (signed in, or a guest who gave their address at
the checkout) who left items in their cart for ``CART_REMINDER_AFTER_HOURS``
is reminded once, with a link straight back to the cart, if they agreed to
hear from the shop (the reminder is a ``marketing`` kind: the outbox owes
it only to people who opted in). Once per abandonment: the occasion is the
cart's last change, so a cart changed and left again is a new one. Carts
idle for longer than ``CART_REMINDER_WITHIN_DAYS`` are left alone. It lives
in orders because it reads both the cart and the checkout's address.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from cart.models import Cart, CartLine
from cart.session import cart_restore_token
from notifications.models import Notification
from notifications.services import notification_queue
from orders.models import Checkout, Order, OrderLine, Return
from reviews.services import review_request_queue
from shop.sites import shop_url


def carts_abandoned_remind(*, now: datetime | None = None) -> int:
    """Owe the reminder of every cart left long enough; returns how many
    carts it was asked for (the outbox owes each once, and only to people
    who opted in)."""
    now = now or timezone.now()
    after = timedelta(hours=settings.CART_REMINDER_AFTER_HOURS)
    within = timedelta(days=settings.CART_REMINDER_WITHIN_DAYS)
    carts = (
        Cart.objects.filter(updated_at__lte=now - after, updated_at__gte=now - within)
        .filter(Exists(CartLine.objects.filter(cart=OuterRef("pk"))))
        .filter(Q(user__isnull=False) | (Q(checkout__isnull=False) & ~Q(checkout__email="")))
        .select_related("user", "checkout")
        .prefetch_related(
            Prefetch("lines", queryset=CartLine.objects.select_related("variant").order_by("pk"))
        )
        .order_by("pk")
    )
    reminded = 0
    for cart in carts.iterator(chunk_size=200):
        email = cart.user.email if cart.user else _checkout_email(cart)
        if not email:
            continue
        notification_queue(
            kind="cart.reminder",
            key=f"{cart.pk}:{cart.updated_at:%Y%m%dT%H%M%S.%f}",
            context={
                "lines": [
                    {
                        "title": line.title,
                        "quantity": line.quantity,
                        "price": line.variant.price if line.variant else line.price_when_added,
                        "currency": settings.SHOP_CURRENCY,
                    }
                    for line in cart.lines.all()
                ],
                "cart_url": shop_url(reverse("cart:restore", args=[cart_restore_token(cart=cart)])),
            },
            email=email,
            user=cart.user,
            link=reverse("cart:detail"),
        )
        reminded += 1
    return reminded


def _checkout_email(cart: Cart) -> str:
    try:
        return cart.checkout.email
    except Checkout.DoesNotExist:
        return ""


def review_requests_send(*, now: datetime | None = None) -> int:
    """Owe the "how do you like it?" email of every order delivered
    ``REVIEW_REQUEST_AFTER_DAYS`` ago (the customer has tried what they
    bought), once per order, within ``REVIEW_REQUEST_WITHIN_DAYS``; orders
    with a return are not asked. Returns how many orders were considered
    (``reviews.services.review_request_queue`` leaves out what the person
    reviewed already, and their preferences decide the rest)."""
    now = now or timezone.now()
    after = timedelta(days=settings.REVIEW_REQUEST_AFTER_DAYS)
    within = timedelta(days=settings.REVIEW_REQUEST_WITHIN_DAYS)
    orders = (
        Order.objects.filter(
            status__in=(Order.Status.DELIVERED, Order.Status.COMPLETED),
            delivered_at__lte=now - after,
            delivered_at__gte=now - after - within,
        )
        .exclude(Exists(Notification.objects.filter(kind="reviews.request", key=OuterRef("number"))))
        .exclude(Exists(Return.objects.filter(order=OuterRef("pk"))))
        .select_related("user")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("variant").order_by("pk"))
        )
        .order_by("delivered_at", "pk")
    )
    count = 0
    for order in orders.iterator(chunk_size=200):
        review_request_queue(
            reference=order.number,
            email=order.email,
            user=order.user,
            variants=[line.variant for line in order.lines.all() if line.variant is not None],
        )
        count += 1
    return count
