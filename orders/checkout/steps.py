"""The checkout's steps: what the shopper told us so far, and the checkout
priced. ``orders.checkout.placement.order_place`` places the order from it.

The checkout stores what the shopper said (email, addresses, shipping
method) per cart, so a reload or a new tab resumes it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from accounts.addressing import AddressValidationError, address_normalize
from accounts.models import User
from cart.models import Cart, CartLine
from cart.pricing import Breakdown, ShippingCharge
from cart.selectors import TaxLocation, cart_lines, cart_price, line_is_sellable
from orders.models import Checkout
from orders.selectors import customer_orders_count
from promotions.values import Customer, PromoContext
from shipping.quotes import Destination, Quote, ShippingError, ShippingOption
from shipping.services import parcel_for, shipping_option_get, shipping_options


class CheckoutError(Exception):
    """A step cannot go on; ``step`` names where the shopper can fix it."""

    def __init__(self, message: str, *, step: str) -> None:
        super().__init__(message)
        self.message = message
        self.step = step


@dataclass(frozen=True)
class CheckoutState:
    """Everything a checkout page shows, priced once."""

    lines: list[CartLine]
    quote: Quote | None
    option: ShippingOption | None
    breakdown: Breakdown


def checkout_get(*, cart: Cart) -> Checkout:
    checkout, _created = Checkout.objects.get_or_create(cart=cart)
    checkout.cart = cart  # the caller's row: every step reads it, no second query
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
    lines = sellable_lines(checkout.cart)
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
    lines = sellable_lines(checkout.cart)
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


def sellable_lines(cart: Cart) -> list[CartLine]:
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
    counter = partial(customer_orders_count, user_id=user_id, email=email)
    return PromoContext(customer=Customer(user_id=user_id, email=email, orders_counter=counter))
