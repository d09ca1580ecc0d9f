"""Order test helpers: stock that came in through the ledger, a German
shipping zone with a flat method and 19 % VAT, carts taken through every
checkout step by the services, and payment with the test gateway's cards."""

from decimal import Decimal

from django.db.models import Min, Sum

from accounts.models import User
from cart.models import Cart, TaxRate
from cart.services import cart_create, cart_line_add, tax_rate_save
from catalog.models import StockMovement, Variant
from catalog.stock import stock_adjust
from catalog.taxes import TaxClass
from orders.checkout.steps import (
    checkout_addresses_set,
    checkout_contact_set,
    checkout_get,
    checkout_shipping_set,
)
from orders.lifecycle.payment import order_payment_card_submit
from orders.models import Checkout, Order
from payments.cards import card_digits
from payments.gateways.base import CardDetails
from payments.models import Payment
from payments.services import payment_start
from shipping.models import ShippingMethod, ShippingZone
from tests.catalog.factories import ProductFactory

BERLIN = {
    "full_name": "Ada Lovelace",
    "street_address_1": "Unter den Linden 1",
    "postal_code": "10117",
    "city": "Berlin",
    "country_code": "DE",
}


def stocked_variants(*on_hand: int, title: str = "Lamp", price: Decimal = Decimal("10.00")) -> list[Variant]:
    """Variants of one product whose stock came in through the ledger, so it balances."""
    product = ProductFactory.create(
        title=title, variants=len(on_hand), variants__stock=0, variants__price=price
    )
    variants = list(product.variants.order_by("pk"))
    for variant, units in zip(variants, on_hand, strict=True):
        if units:
            stock_adjust(
                variant=variant, quantity_change=units, reason=StockMovement.Reason.RESTOCK, note="Opening"
            )
        variant.refresh_from_db()
    return variants


def germany(*, price: Decimal = Decimal("4.90"), vat: Decimal = Decimal(19)) -> ShippingMethod:
    """A zone for Germany with one flat method, and German VAT."""
    zone = ShippingZone.objects.create(name="Germany", countries="DE", position=1)
    method = ShippingMethod.objects.create(
        zone=zone,
        name="Standard",
        kind=ShippingMethod.Kind.FLAT,
        price=price,
        delivery_estimate="2-4 business days",
        tax_class=TaxClass.STANDARD,
    )
    tax_rate_save(rate=TaxRate(country="DE", tax_class=TaxClass.STANDARD, rate=vat, name="VAT"))
    return method


def option_id(method: ShippingMethod) -> str:
    return f"table:{method.pk}"


def cart_of(*lines: tuple[Variant, int], user: User | None = None, codes: tuple[str, ...] = ()) -> Cart:
    cart = cart_create(user=user)
    for variant, quantity in lines:
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=quantity)
    if codes:
        # Applied as the cart page stores them (normalised), without its checks:
        # placement must check them again anyway.
        cart.promo_codes = [code.upper() for code in codes]
        cart.save(update_fields=["promo_codes"])
    return cart


def checkout_ready(
    cart: Cart, method: ShippingMethod, *, email: str = "ada@example.com", user: User | None = None
) -> Checkout:
    """A checkout with every step answered, as the pages would leave it."""
    checkout = checkout_get(cart=cart)
    if user is None:
        checkout_contact_set(checkout=checkout, email=email)
    checkout_addresses_set(checkout=checkout, shipping=BERLIN, billing=None)
    checkout_shipping_set(checkout=checkout, option_id=option_id(method))
    checkout.refresh_from_db()
    return checkout


def start(order: Order) -> Payment:
    """The order's payment at the test gateway, as reaching the payment page starts it."""
    return payment_start(
        order_reference=order.number,
        amount=order.total,
        currency=order.currency,
        email=order.email,
    )


def pay(order: Order, *, number: str = "4242 4242 4242 4242") -> Payment:
    """Pay an order's total with the test gateway, as the payment page does."""
    card = CardDetails(number=card_digits(number), exp_month=12, exp_year=2040, cvc="123")
    return order_payment_card_submit(payment=start(order), card=card)


def assert_ledger_balances(variant: Variant) -> None:
    """The variant's movements sum to its row, and never went below zero."""
    variant.refresh_from_db()
    ledger = StockMovement.objects.filter(variant=variant).aggregate(
        on_hand=Sum("on_hand_change"),
        reserved=Sum("reserved_change"),
        lowest_on_hand=Min("on_hand_after"),
        lowest_reserved=Min("reserved_after"),
    )
    assert (ledger["on_hand"], ledger["reserved"] or 0) == (variant.stock_on_hand, variant.stock_reserved)
    assert ledger["lowest_on_hand"] >= 0
    assert ledger["lowest_reserved"] >= 0
