"""Checkout and order placement, payment and expiry.

The checkout stores what the shopper said (email, addresses, shipping
method) per cart. ``order_place`` turns it into a ``pending_payment`` order
in one transaction: the breakdown from the cart's one pricing function, a
frozen copy of lines and addresses, a stock reservation and the promo-code
redemptions. Only the gateway's word (``order_mark_paid``, called when the
payments app reports a settled payment) makes it ``paid``: the reservation
becomes a sale and the confirmation email goes out after commit. Unpaid
orders whose reservation expired are cancelled by ``orders_unpaid_expire``.
"""

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.addressing import AddressValidationError, address_normalize
from accounts.models import User
from cart.models import Cart, CartLine
from cart.pricing import Breakdown, ShippingCharge
from cart.selectors import TaxLocation, cart_lines, cart_price, line_is_sellable
from catalog.stock import InsufficientStock, stock_commit, stock_release, stock_reserve
from orders import locks
from orders.models import Checkout, Order, OrderEvent, OrderLine
from orders.status import UNPAID, can_move
from payments.models import ATTEMPT_STATES, Payment
from payments.selectors import payment_get_for_order
from payments.services import payment_cancel, payment_refund, payment_sync
from promotions.services import promo_code_redeem, promo_code_redemption_cancel
from shipping.quotes import Destination, Quote, ShippingError, ShippingOption
from shipping.services import parcel_for, shipping_option_get, shipping_options
from shop.pricing import Customer, PromoContext, PromoRefused

logger = logging.getLogger(__name__)

# Unambiguous characters (Crockford's base 32): 12 of them are 60 random bits.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CheckoutError(Exception):
    """A step cannot go on; ``step`` names where the shopper can fix it."""

    def __init__(self, message: str, *, step: str) -> None:
        super().__init__(message)
        self.message = message
        self.step = step


class OrderStateError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckoutState:
    """Everything a checkout page shows, priced once."""

    lines: list[CartLine]
    quote: Quote | None
    option: ShippingOption | None
    breakdown: Breakdown


# --- The checkout's steps -------------------------------------------------------


def checkout_get(*, cart: Cart) -> Checkout:
    checkout, _created = Checkout.objects.get_or_create(cart=cart)
    return checkout


def checkout_contact_set(*, checkout: Checkout, email: str) -> Checkout:
    checkout.email = email.strip()
    checkout.save(update_fields=["email", "updated_at"])
    return checkout


def checkout_addresses_set(
    *, checkout: Checkout, shipping: Mapping[str, str], billing: Mapping[str, str] | None
) -> Checkout:
    """Store both addresses normalised for their countries; the shipping
    address must be one we ship to. ``AddressValidationError`` names wrong
    fields (billing ones prefixed ``billing_``); ``CheckoutError`` says when
    nothing ships there."""
    errors: dict[str, str] = {}
    try:
        shipping_clean = address_normalize(shipping)
    except AddressValidationError as exc:
        errors.update(exc.errors)
        shipping_clean = {}
    billing_clean: dict[str, str] = {}
    if billing is not None:
        try:
            billing_clean = address_normalize(billing)
        except AddressValidationError as exc:
            errors.update({f"billing_{name}": text for name, text in exc.errors.items()})
    if errors:
        raise AddressValidationError(errors)
    for name in ("full_name", "company_name", "phone"):
        shipping_clean.setdefault(name, str(shipping.get(name, "")))
        if billing is not None:
            billing_clean.setdefault(name, str(billing.get(name, "")))
    lines = _sellable(checkout.cart)
    try:
        shipping_options(
            destination=Destination(**_destination_fields(shipping_clean)),
            parcel=parcel_for(lines=[(line.variant, line.quantity) for line in lines if line.variant]),
            order_value=_subtotal(lines),
        )
    except ShippingError as exc:
        raise CheckoutError(exc.message, step="address") from None
    if checkout.shipping_address != shipping_clean:
        checkout.shipping_option_id = ""  # methods depend on the destination
    checkout.shipping_address = shipping_clean
    checkout.billing_same_as_shipping = billing is None
    checkout.billing_address = billing_clean if billing is not None else {}
    checkout.save()
    return checkout


def checkout_shipping_set(*, checkout: Checkout, option_id: str) -> ShippingOption:
    lines = _sellable(checkout.cart)
    try:
        option = shipping_option_get(
            option_id=option_id,
            destination=checkout_destination(checkout),
            parcel=parcel_for(lines=[(line.variant, line.quantity) for line in lines if line.variant]),
            order_value=_subtotal(lines),
        )
    except ShippingError as exc:
        raise CheckoutError(exc.message, step="shipping") from None
    checkout.shipping_option_id = option.id
    checkout.save(update_fields=["shipping_option_id", "updated_at"])
    return option


def checkout_missing_step(*, checkout: Checkout, user: User | None) -> str | None:
    """The first step whose answer is missing, or None when all are given."""
    if not CartLine.objects.filter(cart=checkout.cart).exists():
        return "cart"
    if user is None and not checkout.email:
        return "contact"
    if not checkout.shipping_address:
        return "address"
    if not checkout.shipping_option_id:
        return "shipping"
    return None


def checkout_destination(checkout: Checkout) -> Destination:
    return Destination(**_destination_fields(checkout.shipping_address))


def checkout_state(
    *, checkout: Checkout, user: User | None, quote: bool = False, lines: Sequence[CartLine] | None = None
) -> CheckoutState:
    """The checkout priced: the cart's breakdown at the shipping address's
    tax rates with the chosen method's charge (re-quoted, never trusted);
    with ``quote`` also every method on offer."""
    lines = [
        line
        for line in (cart_lines(cart=checkout.cart) if lines is None else lines)
        if line_is_sellable(line)
    ]
    destination = checkout_destination(checkout) if checkout.shipping_address else None
    found_quote: Quote | None = None
    option: ShippingOption | None = None
    if destination is not None and lines:
        parcel = parcel_for(lines=[(line.variant, line.quantity) for line in lines if line.variant])
        try:
            found_quote = shipping_options(
                destination=destination, parcel=parcel, order_value=_subtotal(lines)
            )
        except ShippingError:
            found_quote = None
        if found_quote and checkout.shipping_option_id:
            option = next((o for o in found_quote.options if o.id == checkout.shipping_option_id), None)
    breakdown = cart_price(
        cart=checkout.cart,
        lines=lines,
        context=_promo_context(checkout, user),
        location=_tax_location(checkout),
        shipping=ShippingCharge(price=option.price, tax_class=option.tax_class, label=option.name)
        if option
        else None,
    )
    return CheckoutState(
        lines=lines, quote=found_quote if quote else None, option=option, breakdown=breakdown
    )


# --- Placing and paying -----------------------------------------------------------


def order_number_new() -> str:
    """An unguessable public number: 12 characters, 60 random bits,
    grouped for reading aloud (e.g. "7KQ2-M9XP-A4DE")."""
    raw = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def order_place(*, checkout: Checkout, user: User | None) -> Order:
    """The pending order for this checkout: made now, or the one made before
    from the very same cart and answers (a double click, a reload). Stock is
    reserved for ``CHECKOUT_RESERVATION_MINUTES`` and the promo codes are
    redeemed in this transaction; anything that no longer holds is a
    ``CheckoutError`` naming it, and nothing is kept."""
    checkout = locks.checkout_lock(checkout_id=checkout.pk)
    missing = checkout_missing_step(checkout=checkout, user=user)
    if missing:
        raise CheckoutError(_("Please complete this step first."), step=missing)
    state = checkout_state(checkout=checkout, user=user)
    if not state.lines:
        raise CheckoutError(_("Your cart is empty."), step="cart")
    if state.option is None:
        raise CheckoutError(
            _("The shipping method you chose is not available any more. Please choose again."),
            step="shipping",
        )
    breakdown = state.breakdown
    if breakdown.refused:
        raise CheckoutError(
            " ".join(r.message for r in breakdown.refused) + " " + _("Remove the code to continue."),
            step="cart",
        )
    email = user.email if user is not None else checkout.email
    fingerprint = _fingerprint(checkout, state, email)
    previous = Order.objects.filter(pk=checkout.order_id).first() if checkout.order_id else None
    if previous is not None and previous.status in UNPAID:
        if (
            previous.fingerprint == fingerprint
            and previous.reservation_expires_at
            and previous.reservation_expires_at > timezone.now()
        ):
            return previous
        _cancel_unpaid(
            previous, note=_("Replaced by a new attempt after the cart or checkout changed."), by=user
        )

    now = timezone.now()
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
        shipping_method=state.option.to_data(),
        reservation_expires_at=now + timedelta(minutes=settings.CHECKOUT_RESERVATION_MINUTES),
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
    try:
        stock_reserve(
            lines=[(line.variant.pk, line.quantity) for line in state.lines if line.variant],
            reference=order.number,
        )
    except InsufficientStock as exc:
        titles = {line.variant.sku: line.title for line in state.lines if line.variant}
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
    for discount in breakdown.discounts:
        if not discount.code:
            continue
        try:
            promo_code_redeem(
                code=discount.code,
                order_reference=order.number,
                user_id=user.pk if user else None,
                email=email,
                amount=discount.amount,
            )
        except PromoRefused as refused:
            raise CheckoutError(
                refused.message + " " + _("Remove the code to continue."), step="cart"
            ) from None
    _event(order, to=Order.Status.PENDING_PAYMENT, by=user, note=_("Order placed; stock reserved."))
    checkout.order = order
    checkout.save(update_fields=["order", "updated_at"])
    return order


@transaction.atomic
def order_mark_paid(*, number: str, payment: Payment) -> Order | None:
    """The gateway confirmed ``payment``: the order is paid, its reservation
    becomes a sale and the confirmation email is sent after commit. Safe to
    call any number of times; a payment for an order cancelled meanwhile is
    given back."""
    order = locks.order_lock_by_number(number=number)
    if order is None:
        logger.error("Payment %s confirmed for unknown order %s", payment.pk, number)
        return None
    if order.status not in UNPAID:
        if order.status == Order.Status.CANCELLED:
            transaction.on_commit(lambda: _payment_give_back(payment_id=payment.pk, number=number))
        return order
    stock_commit(lines=_order_stock_lines(order), reference=order.number)
    order_transition(order=order, to=Order.Status.PAID, note=_("Payment confirmed by the gateway."))
    order.paid_at = timezone.now()
    order.reservation_expires_at = None
    order.save(update_fields=["paid_at", "reservation_expires_at"])
    CartLine.objects.filter(cart__checkout__order=order).delete()
    from orders.tasks import order_confirmation_send_task

    transaction.on_commit(lambda: order_confirmation_send_task.delay(order.pk))
    return order


def order_transition(*, order: Order, to: str, by: User | None = None, note: str = "") -> Order:
    """Move ``order`` (locked by the caller) to ``to`` and write the event;
    an illegal move is an ``OrderStateError``, never a silent no-op."""
    if not can_move(order.status, to):
        raise OrderStateError(
            _("An order that is %(current)s cannot become %(to)s.")
            % {"current": order.get_status_display().lower(), "to": Order.Status(to).label.lower()}
        )
    previous = order.status
    order.status = to
    order.save(update_fields=["status"])
    _event(order, from_status=previous, to=to, by=by, note=note)
    return order


def orders_unpaid_expire(*, now: datetime | None = None) -> int:
    """Beat: cancel unpaid orders whose reservation expired, after asking the
    gateway once more (a payment confirmed late is honoured, not lost)."""
    now = now or timezone.now()
    cancelled = 0
    for number in Order.objects.filter(status__in=UNPAID, reservation_expires_at__lt=now).values_list(
        "number", flat=True
    ):
        payment = payment_get_for_order(order_reference=number)
        if payment is not None and payment.status in ATTEMPT_STATES:
            try:
                payment = payment_sync(payment=payment)
            except Exception:  # the gateway is down: decide on what we know
                logger.warning("Could not check payment %s of expired order %s", payment.pk, number)
        if payment is not None and payment.status in (Payment.Status.CAPTURED, Payment.Status.AUTHORIZED):
            order_mark_paid(number=number, payment=payment)
            continue
        with transaction.atomic():
            order = locks.order_lock_by_number(number=number)
            if order is None or order.status not in UNPAID:
                continue
            _cancel_unpaid(order, note=_("The reservation expired before payment."), by=None)
            cancelled += 1
    return cancelled


# --- Helpers ------------------------------------------------------------------------


def _cancel_unpaid(order: Order, *, note: str, by: User | None) -> None:
    """Release an unpaid order's stock and codes, cancel its payment attempt."""
    stock_release(lines=_order_stock_lines(order), reference=order.number)
    promo_code_redemption_cancel(order_reference=order.number)
    order_transition(order=order, to=Order.Status.CANCELLED, by=by, note=note)
    order.cancelled_at = timezone.now()
    order.reservation_expires_at = None
    order.save(update_fields=["cancelled_at", "reservation_expires_at"])
    payment = payment_get_for_order(order_reference=order.number)
    if payment is not None and payment.status in ATTEMPT_STATES:
        number = order.number
        transaction.on_commit(lambda: _payment_cancel_quietly(payment_id=payment.pk, number=number))


def _payment_cancel_quietly(*, payment_id: int, number: str) -> None:
    payment = Payment.objects.get(pk=payment_id)
    try:
        payment_cancel(payment=payment)
    except Exception:
        logger.warning("Could not cancel the payment of cancelled order %s", number, exc_info=True)


def _payment_give_back(*, payment_id: int, number: str) -> None:
    """Money arrived for an order already cancelled: refund or void it."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status == Payment.Status.AUTHORIZED:
        payment_cancel(payment=payment)
    elif payment.captured_amount > payment.refunded_amount:
        payment_refund(
            payment=payment,
            amount=payment.captured_amount - payment.refunded_amount,
            reason="order cancelled before payment arrived",
            key=f"{number}:late-payment:{payment.pk}",
        )
    order = Order.objects.get(number=number)
    _event(order, note=_("A payment arrived after the order was cancelled and was given back."))


def _order_stock_lines(order: Order) -> list[tuple[int, int]]:
    return [
        (variant_id, quantity)
        for variant_id, quantity in order.lines.values_list("variant_id", "quantity")
        if variant_id is not None
    ]


def _event(
    order: Order, *, to: str = "", from_status: str = "", by: User | None = None, note: str = ""
) -> None:
    OrderEvent.objects.create(order=order, from_status=from_status, to_status=to, by=by, note=note)


def _sellable(cart: Cart) -> list[CartLine]:
    return [line for line in cart_lines(cart=cart) if line_is_sellable(line)]


def _subtotal(lines: Sequence[CartLine]) -> Decimal:
    return sum((line.variant.price * line.quantity for line in lines if line.variant), Decimal("0.00"))


def _destination_fields(address: Mapping[str, str]) -> dict[str, str]:
    fields = Destination.__dataclass_fields__
    return {name: str(value) for name, value in address.items() if name in fields}


def _tax_location(checkout: Checkout) -> TaxLocation | None:
    address = checkout.shipping_address
    if not address:
        return None
    return TaxLocation(address.get("country_code", ""), address.get("country_area", ""))


def _promo_context(checkout: Checkout, user: User | None) -> PromoContext:
    email = user.email if user is not None else checkout.email
    user_id = user.pk if user is not None else None
    return PromoContext(customer=Customer(user_id=user_id, email=email))


def _fingerprint(checkout: Checkout, state: CheckoutState, email: str) -> str:
    data = {
        "lines": [
            (line.variant_id, line.quantity, str(p.total))
            for line, p in zip(state.lines, state.breakdown.lines, strict=True)
        ],
        "codes": checkout.cart.promo_codes,
        "shipping": state.option.to_data() if state.option else None,
        "addresses": [checkout.shipping_address, checkout.billing_address],
        "email": email,
        "total": str(state.breakdown.total),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def orders_guest_claim(*, user: User) -> int:
    """Attach guest orders placed with one of the user's verified email
    addresses to the user; returns how many."""
    from allauth.account.models import EmailAddress

    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    if not emails:
        return 0
    claimed = 0
    for email in emails:
        claimed += Order.objects.filter(user__isnull=True, email__iexact=email).update(user=user)
    return claimed
