"""Placing an order from a checkout, and claiming guest orders.

``order_place`` turns a checkout (its steps are in ``orders.checkout.steps``)
into a ``pending_payment`` order in one transaction: the breakdown from the
cart's one pricing function, a frozen copy of lines and addresses, a stock
reservation and the promo-code redemptions. Only the gateway's word makes it
``paid`` (``orders.lifecycle.payment``). ``orders_guest_claim`` attaches the
orders a guest placed with a verified address when that person signs in."""

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_verified_emails
from cart.models import CartLine
from cart.selectors import cart_lines, line_is_sellable
from catalog.stock import InsufficientStock, stock_reserve
from orders import locks
from orders.checkout.steps import CheckoutError, CheckoutState, checkout_missing_step, checkout_state
from orders.lifecycle.cancellation import order_unpaid_cancel_locked
from orders.lifecycle.transitions import order_event_write
from orders.models import Checkout, Order, OrderLine
from orders.selectors import customer_orders_count
from orders.status import UNPAID
from promotions.services import promo_code_redeem
from promotions.values import PromoRefused
from reviews.services import purchases_record
from shipping.quotes import ShippingOption

logger = logging.getLogger(__name__)


_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def order_number_new() -> str:
    """An unguessable public number: 12 characters, 60 random bits,
    grouped for reading aloud (e.g. "7KQ2-M9XP-A4DE")."""
    raw = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def order_place(*, checkout: Checkout, user: User | None) -> Order:
    """The order for this checkout: made now (pending), the pending one made
    before from the very same cart and answers (a double click, a reload), or
    the one already paid from it when nothing was added since (a "Pay"
    pressed again while the first was paying). An
    earlier unpaid order of a checkout that changed since is cancelled
    first (its stock and codes freed). Stock is reserved for
    ``CHECKOUT_RESERVATION_MINUTES`` and the promo codes are redeemed in
    this transaction; anything that no longer holds is a ``CheckoutError``
    naming it, and nothing is kept."""
    checkout = locks.checkout_lock(checkout_id=checkout.pk)
    # The earlier order's lock too (checkout, then order: the shop's lock
    # order): its payment's reaction holds it while it pays the order and
    # empties the cart, so what is read below is from before or after that.
    previous = locks.order_lock(order_id=checkout.order_id) if checkout.order_id else None
    if previous is not None and _paid_from_here(previous, checkout):
        # A second "Pay" (or a reload) after the first one paid: the same order,
        # never a new one.
        return previous
    missing = checkout_missing_step(checkout=checkout, user=user)
    if missing:
        raise CheckoutError(_("Please complete this step first."), step=missing)
    lines = cart_lines(cart=checkout.cart)
    withdrawn = [line.title for line in lines if not line_is_sellable(line)]
    if withdrawn:
        raise CheckoutError(
            _("%(titles)s can no longer be bought.") % {"titles": ", ".join(withdrawn)}
            + " "
            + _("Please remove it from your cart; you have not been charged."),
            step="cart",
        )
    email = user.email if user is not None else checkout.email
    fingerprint = _fingerprint(checkout, lines, email)
    if previous is not None and previous.status in UNPAID:
        if (
            previous.fingerprint == fingerprint
            and previous.reservation_expires_at
            and previous.reservation_expires_at > timezone.now()
        ):
            return previous
        # Before pricing: the codes and units it holds are this shopper's to reuse.
        order_unpaid_cancel_locked(
            previous, note=_("Replaced by a new attempt after the cart or checkout changed."), by=user
        )
    state = checkout_state(checkout=checkout, user=user, lines=lines)
    option = state.option
    if option is None:
        raise CheckoutError(
            _("The shipping method you chose is not available any more. Please choose again."),
            step="shipping",
        )
    if state.breakdown.refused:
        raise CheckoutError(
            " ".join(r.message for r in state.breakdown.refused) + " " + _("Remove the code to continue."),
            step="cart",
        )
    order = _order_create(checkout, state, option, user=user, email=email, fingerprint=fingerprint)
    _reserve(order, state.lines)
    for discount in state.breakdown.discounts:
        if not discount.code:
            continue
        try:
            promo_code_redeem(
                code=discount.code,
                order_reference=order.number,
                user_id=user.pk if user else None,
                email=email,
                amount=discount.amount,
                orders_counter=partial(customer_orders_count, user_id=user.pk if user else None, email=email),
            )
        except PromoRefused as refused:
            raise CheckoutError(
                refused.message + " " + _("Remove the code to continue."), step="cart"
            ) from None
    order_event_write(
        order, to=Order.Status.PENDING_PAYMENT, by=user, note=_("Order placed; stock reserved.")
    )
    checkout.order = order
    checkout.save(update_fields=["order", "updated_at"])
    return order


def _paid_from_here(order: Order, checkout: Checkout) -> bool:
    """The checkout's order was paid and its cart has nothing new since
    (paying emptied it)."""
    return (
        order.status not in UNPAID
        and order.status != Order.Status.CANCELLED
        and not checkout.cart.lines.exists()
    )


def _order_create(
    checkout: Checkout,
    state: CheckoutState,
    option: ShippingOption,
    *,
    user: User | None,
    email: str,
    fingerprint: str,
) -> Order:
    """The order and its lines: a frozen copy of the priced checkout."""
    breakdown = state.breakdown
    order = Order.objects.create(
        number=order_number_new(),
        user=user,
        email=email,
        currency=settings.SHOP_CURRENCY,
        prices_include_tax=breakdown.prices_include_tax,
        subtotal=breakdown.subtotal,
        discount_total=breakdown.discount_total,
        shipping_price=breakdown.shipping or 0,
        shipping_discount=breakdown.shipping_discount,
        shipping_tax=breakdown.shipping_tax,
        tax_total=breakdown.tax,
        total=breakdown.total,
        discounts=[
            {"source": d.key, "label": d.label, "kind": d.kind, "code": d.code, "amount": str(d.amount)}
            for d in breakdown.discounts
        ],
        promo_codes=[d.code for d in breakdown.discounts if d.code],
        tax_by_rate=[[str(rate), str(tax)] for rate, tax in breakdown.tax_by_rate],
        shipping_address=checkout.shipping_address,
        billing_address=checkout.billing_address or checkout.shipping_address,
        shipping_method=option.to_data(),
        reservation_expires_at=timezone.now() + timedelta(minutes=settings.CHECKOUT_RESERVATION_MINUTES),
        fingerprint=fingerprint,
    )
    priced = {p.key: p for p in breakdown.lines}
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                variant=line.variant,
                product_title=line.title,
                sku=line.variant.sku if line.variant else "",
                unit_price=priced[line.pk].unit_price,
                quantity=line.quantity,
                subtotal=priced[line.pk].subtotal,
                discount=priced[line.pk].discount,
                tax_rate=priced[line.pk].tax_rate,
                tax=priced[line.pk].tax,
                total=priced[line.pk].total,
            )
            for line in state.lines
        ]
    )
    return order


def _reserve(order: Order, lines: Sequence[CartLine]) -> None:
    """Hold the order's units, or say which ran out (nothing is charged yet)."""
    try:
        stock_reserve(
            lines=[(line.variant.pk, line.quantity) for line in lines if line.variant],
            reference=order.number,
        )
    except InsufficientStock as exc:
        titles = {line.variant.sku: line.title for line in lines if line.variant}
        raise CheckoutError(
            " ".join(
                _("%(title)s sold out meanwhile.") % {"title": titles.get(s.sku, s.sku)}
                if s.available <= 0
                else _("Only %(count)d of %(title)s are left.")
                % {"count": s.available, "title": titles.get(s.sku, s.sku)}
                for s in exc.shortages
            )
            + " "
            + _("Please update your cart; you have not been charged."),
            step="cart",
        ) from None


def _fingerprint(checkout: Checkout, lines: Sequence[CartLine], email: str) -> str:
    """What the order is made from (lines at their prices, codes, addresses,
    method, email), not what the codes are worth now: a code the first click
    used up must not make the second click look different. Base64, not hex:
    a long run of hex digits can pass for a card number in a Luhn scan."""
    data = {
        "lines": [
            (line.variant_id, line.quantity, str(line.variant.price) if line.variant else None)
            for line in lines
        ],
        "codes": checkout.cart.promo_codes,
        "shipping": checkout.shipping_option_id,
        "addresses": [checkout.shipping_address, checkout.billing_address],
        "email": email,
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def orders_guest_claim(*, user: User) -> int:
    """Attach guest orders placed with one of the user's verified email
    addresses to the user; returns how many."""
    emails = user_verified_emails(user=user)
    if not emails:
        return 0
    claimed = 0
    for email in emails:
        orders = Order.objects.filter(user__isnull=True, email__iexact=email)
        delivered = list(orders.filter(delivered_at__isnull=False).prefetch_related("lines__variant"))
        claimed += orders.update(user=user)
        for order in delivered:  # what they received verifies their reviews
            purchases_record(
                user=user,
                reference=order.number,
                variants=[line.variant for line in order.lines.all() if line.variant is not None],
                delivered_at=order.delivered_at or timezone.now(),
            )
    return claimed
