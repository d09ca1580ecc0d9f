"""The benchmark's signed-in shopper: an account with ``ORDERS`` orders placed
and paid through the shop's own services (checkout, test gateway), some
shipped with tracking, and a cart of ``CART_LINES`` lines; then a session
for them. Made once per database; later runs reuse it and only make a new
session. ``run.py`` calls ``prepare()`` through ``manage.py shell`` and
measures the cart, the order history and one order page with the cookie.

Needs the demo's shipping zones and German tax rate (``shipping_demo``,
``tax_rates_demo``), which ``run.py`` loads first.
"""

import json
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from accounts.models import User
from cart.models import Cart
from cart.services import cart_create, cart_line_add
from catalog.models import Variant
from orders.checkout.placement import order_place
from orders.checkout.steps import checkout_addresses_set, checkout_get, checkout_shipping_set, checkout_state
from orders.lifecycle.fulfilment import order_ship
from orders.lifecycle.payment import order_mark_paid
from orders.models import Order
from payments.services import payment_start, payment_test_card_submit

EMAIL = "bench-shopper@example.com"
ORDERS = 25
CART_LINES = 10
BERLIN = {
    "full_name": "Bench Shopper",
    "street_address_1": "Unter den Linden 1",
    "postal_code": "10117",
    "city": "Berlin",
    "country_code": "DE",
}


def _variants(count: int, *, skip: int = 0) -> list[Variant]:
    """Active variants with plenty of stock (each order buys a few units)."""
    return list(
        Variant.objects.filter(is_active=True, product__is_active=True, stock_on_hand__gte=50).order_by("pk")[
            skip : skip + count
        ]
    )


def _cart(user: User, variants: list[Variant]) -> Cart:
    Cart.objects.filter(user=user).delete()  # one cart per user
    cart = cart_create(user=user)
    for variant in variants:
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=1)
    return cart


def _order(user: User, variants: list[Variant], n: int) -> Order:
    checkout = checkout_get(cart=_cart(user, variants))
    checkout_addresses_set(checkout=checkout, shipping=BERLIN, billing=None)
    options = checkout_state(checkout=checkout, user=user, quote=True).quote
    if options is None or not options.options:
        raise SystemExit("No shipping to Berlin: load shipping_demo and tax_rates_demo first.")
    checkout_shipping_set(checkout=checkout, option_id=options.options[0].id)
    checkout.refresh_from_db()
    order = order_place(checkout=checkout, user=user)
    payment = payment_start(
        order_reference=order.number, amount=order.total, currency=order.currency, email=order.email
    )
    payment = payment_test_card_submit(
        payment=payment, number="4242 4242 4242 4242", exp_month=12, exp_year=2040, cvc="123"
    )
    order_mark_paid(number=order.number, payment=payment)
    if n % 2 == 0:  # half of them shipped, with a tracking number
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number=f"BENCH{n:06d}")
    order.refresh_from_db()
    return order


def _session(user: User) -> str:
    """A signed-in session, as ``login()`` would leave it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def prepare() -> dict[str, Any]:
    user, _created = User.objects.get_or_create(email=EMAIL, defaults={"first_name": "Bench"})
    placed = Order.objects.filter(user=user).count()
    for n in range(placed, ORDERS):
        _order(user, _variants(3, skip=3 * n), n)
    if Cart.objects.filter(user=user, lines__isnull=False).distinct().count() == 0 or placed < ORDERS:
        _cart(user, _variants(CART_LINES, skip=200))
    latest = Order.objects.filter(user=user).order_by("-created_at", "-pk").first()
    if latest is None:
        raise SystemExit("The shopper has no orders: is the catalog seeded?")
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={_session(user)}",
        "order": latest.number,
        "orders": Order.objects.filter(user=user).count(),
        "cart_lines": Cart.objects.get(user=user).lines.count(),
    }


if __name__ == "__main__":  # through manage.py shell -c, which sets Django up
    print(json.dumps(prepare()))
