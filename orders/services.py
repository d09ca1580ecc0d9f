"""Order placement, payment, status moves and expiry.

``order_place`` turns a checkout (its steps are in ``orders.checkout.steps``,
re-exported here) into a ``pending_payment`` order in one transaction: the
breakdown from the cart's one pricing function, a frozen copy of lines and
addresses, a stock reservation and the promo-code redemptions. Only the
gateway's word (``order_mark_paid``, called when the payments app reports a
settled payment) makes it ``paid``: the reservation becomes a sale and the
confirmation email goes out after commit. Unpaid orders whose reservation
expired are cancelled by ``orders_unpaid_expire``, which frees their stock
and codes.
"""

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
from cart.models import Cart, CartLine
from cart.selectors import cart_lines, line_is_sellable
from cart.services import cart_empty
from catalog.stock import InsufficientStock, stock_commit, stock_release, stock_reserve
from orders import locks
from orders.checkout.steps import CheckoutError, CheckoutState, checkout_missing_step, checkout_state
from orders.emails import order_confirmation_send_task
from orders.models import Checkout, Order, OrderEvent, OrderLine
from orders.selectors import customer_orders_count
from orders.status import UNPAID, can_move
from payments.errors import PaymentError
from payments.models import ATTEMPT_STATES, Payment
from payments.selectors import payment_get_for_order
from payments.services import payment_cancel, payment_refund
from promotions.services import promo_code_redeem, promo_code_redemption_cancel
from promotions.values import PromoRefused
from shipping.quotes import ShippingOption

logger = logging.getLogger(__name__)

# Unambiguous characters (Crockford's base 32): 12 of them are 60 random bits.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class OrderStateError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def order_number_new() -> str:
    """An unguessable public number: 12 characters, 60 random bits,
    grouped for reading aloud (e.g. "7KQ2-M9XP-A4DE")."""
    raw = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


# --- Placing --------------------------------------------------------------------------


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


# --- Paying -----------------------------------------------------------------------------


def order_payment_follow(*, payment: Payment, previous_status: str) -> None:
    """The order moves with its payment's new status: money confirmed pays it
    (or is given back if the order was cancelled meanwhile), a decline is
    written on an order awaiting payment. Nothing happens when the status did
    not change, so asking twice (a sync after a webhook) does nothing twice."""
    if payment.status == previous_status:
        return
    if payment.status in (Payment.Status.CAPTURED, Payment.Status.AUTHORIZED):
        order_mark_paid(number=payment.order_reference, payment=payment)
    elif payment.status == Payment.Status.FAILED:
        order_payment_failed(number=payment.order_reference, payment=payment)


def order_mark_paid(*, number: str, payment: Payment) -> Order | None:
    """The gateway confirmed ``payment``: the order is paid, its reservation
    becomes a sale, the cart it came from is emptied and the confirmation
    email is sent after commit. Safe to call any number of times; a payment
    for an order cancelled meanwhile is given back. Runs in the payment's
    transaction (payments' listeners), holding the order's lock, which
    ``order_place`` takes too: a second "Pay" placing from the same checkout
    waits and then finds the order paid."""
    with locks.order_lock_for_payment(number=number) as order:
        return _order_mark_paid(order, number=number, payment=payment)


def _order_mark_paid(order: Order | None, *, number: str, payment: Payment) -> Order | None:
    if order is None:
        logger.error("Payment %s confirmed for unknown order %s", payment.pk, number)
        return None
    payment_id = payment.pk
    if order.status not in UNPAID:
        if order.status == Order.Status.CANCELLED:
            why = _("A payment arrived after the order was cancelled.")
            transaction.on_commit(
                lambda: _payment_give_back(payment_id=payment_id, number=number, why=why), robust=True
            )
        return order
    if (payment.amount, payment.currency) != (order.total, order.currency):
        # Never ours to keep: the order stays unpaid (and expires) and the money goes back.
        logger.error("Payment %s of order %s does not match the order's total", payment.pk, number)
        why = _("A payment of %(amount)s %(currency)s did not match the total.") % {
            "amount": payment.amount,
            "currency": payment.currency,
        }
        transaction.on_commit(
            lambda: _payment_give_back(payment_id=payment_id, number=number, why=why), robust=True
        )
        return order
    return _order_paid(order, note=_("Payment confirmed by the gateway."))


@transaction.atomic
def order_confirm_free(*, number: str) -> Order:
    """An order whose total is nothing (a full discount and free shipping)
    needs no gateway: it is confirmed as paid at once."""
    order = locks.order_lock_by_number(number=number)
    if order is None:
        raise OrderStateError(_("This order does not exist."))
    if order.status not in UNPAID:
        return order
    if order.total != 0:
        raise OrderStateError(_("This order has an amount to pay."))
    return _order_paid(order, note=_("Nothing to pay: confirmed without a payment."))


def _order_paid(order: Order, *, note: str) -> Order:
    """The order (locked) is paid: its reservation becomes a sale, its cart is
    emptied and the confirmation email is queued after commit."""
    stock_commit(lines=_order_stock_lines(order), reference=order.number)
    order_transition(order=order, to=Order.Status.PAID, note=note)
    order.paid_at = timezone.now()
    order.reservation_expires_at = None
    order.save(update_fields=["paid_at", "reservation_expires_at"])
    cart = Cart.objects.filter(checkout__order=order).first()
    if cart is not None:
        cart_empty(cart=cart)
    # Robust: a broker that is down must not fail the payment's reaction; the
    # order row is the email's outbox and the sweep queues it later.
    transaction.on_commit(partial(order_confirmation_send_task.delay, order.pk), robust=True)
    return order


@transaction.atomic
def order_payment_failed(*, number: str, payment: Payment) -> Order | None:
    """The gateway declined the payment of an order awaiting it: written in
    the order's history, while the order stays ``pending_payment``, open to
    another card until its reservation expires (as the checkout issue asks;
    ``payment_failed`` is left for a failure no card can mend)."""
    order = locks.order_lock_by_number(number=number)
    if order is None or order.status != Order.Status.PENDING_PAYMENT:
        return order
    reason = payment.failure_message or _("The payment failed.")
    order_event_write(order, note=_("Payment declined: %(reason)s") % {"reason": reason})
    return order


def order_transition(*, order: Order, to: str, by: User | None = None, note: str = "") -> Order:
    """Move ``order`` (locked by the caller) to ``to`` and write the event;
    an illegal move is an ``OrderStateError``, never a silent no-op."""
    if to not in Order.Status.values:
        raise OrderStateError(_("%(to)s is not an order status.") % {"to": to})
    if not can_move(order.status, to):
        raise OrderStateError(
            _("An order that is %(current)s cannot become %(to)s.")
            % {"current": order.get_status_display().lower(), "to": Order.Status(to).label.lower()}
        )
    previous = order.status
    order.status = to
    order.save(update_fields=["status"])
    order_event_write(order, from_status=previous, to=to, by=by, note=note)
    return order


def orders_unpaid_cancel(*, order_ids: Sequence[int], note: str) -> int:
    """Cancel those of these orders that still await payment (their stock and
    codes freed, the payment attempt cancelled after commit), locked in
    primary-key order; returns how many were cancelled. A payment confirmed
    later for one of them is given back (``order_mark_paid``)."""
    cancelled = 0
    for order_id in sorted(order_ids):
        with transaction.atomic():
            order = locks.order_lock(order_id=order_id)
            if order.status in UNPAID:
                order_unpaid_cancel_locked(order, note=note, by=None)
                cancelled += 1
    return cancelled


# --- Helpers ------------------------------------------------------------------------


def order_unpaid_cancel_locked(order: Order, *, note: str, by: User | None) -> None:
    """Release an unpaid order's stock and codes, cancel its payment attempt."""
    stock_release(lines=_order_stock_lines(order), reference=order.number)
    promo_code_redemption_cancel(order_reference=order.number)
    order_transition(order=order, to=Order.Status.CANCELLED, by=by, note=note)
    order.cancelled_at = timezone.now()
    order.reservation_expires_at = None
    order.save(update_fields=["cancelled_at", "reservation_expires_at"])
    payment = payment_get_for_order(order_reference=order.number)
    if payment is not None and payment.status in ATTEMPT_STATES:
        number, payment_id = order.number, payment.pk
        transaction.on_commit(
            lambda: _payment_cancel_quietly(payment_id=payment_id, number=number), robust=True
        )


def _payment_cancel_quietly(*, payment_id: int, number: str) -> None:
    payment = Payment.objects.get(pk=payment_id)
    try:
        payment_cancel(payment=payment)
    except Exception:
        logger.warning("Could not cancel the payment of cancelled order %s", number, exc_info=True)


def _payment_give_back(*, payment_id: int, number: str, why: str) -> None:
    """Money the order cannot take (it was cancelled, or the amount is wrong):
    void or refund it, once (the order's lock makes concurrent reports queue,
    and the second finds nothing left to give back), with an event saying
    ``why`` and what was done."""
    try:
        with transaction.atomic():
            order = locks.order_lock_by_number(number=number)
            payment = Payment.objects.get(pk=payment_id)
            if order is None:
                return
            if payment.status == Payment.Status.AUTHORIZED:
                payment_cancel(payment=payment)
                done = _("It was voided.")
            elif payment.is_paid and payment.refundable_amount > 0:
                payment_refund(
                    payment=payment,
                    amount=payment.refundable_amount,
                    reason="not taken by the order",
                    key=f"{number}:late-payment:{payment.pk}",
                )
                done = _("It was refunded.")
            else:
                return
            order_event_write(order, note=f"{why} {done}")
    except PaymentError:
        logger.exception("Could not give back payment %s of cancelled order %s", payment_id, number)


def _order_stock_lines(order: Order) -> list[tuple[int, int]]:
    return [
        (variant_id, quantity)
        for variant_id, quantity in order.lines.values_list("variant_id", "quantity")
        if variant_id is not None
    ]


def order_event_write(
    order: Order, *, to: str = "", from_status: str = "", by: User | None = None, note: str = ""
) -> None:
    """A line in the order's history: a note, or a move ``from_status`` -> ``to``."""
    OrderEvent.objects.create(order=order, from_status=from_status, to_status=to, by=by, note=note)


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


# --- Accounts ---------------------------------------------------------------------------


def orders_guest_claim(*, user: User) -> int:
    """Attach guest orders placed with one of the user's verified email
    addresses to the user; returns how many."""
    emails = user_verified_emails(user=user)
    if not emails:
        return 0
    claimed = 0
    for email in emails:
        claimed += Order.objects.filter(user__isnull=True, email__iexact=email).update(user=user)
    return claimed
