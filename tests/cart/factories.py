"""Cart test helpers: a product whose variants have options (so line titles
read "Tee (Red / M)") and carts filled through the services."""

from decimal import Decimal

from accounts.models import User
from cart.models import Cart, CartLine
from cart.services import cart_create, cart_line_add
from catalog.models import Product, ProductOption, ProductOptionValue, Variant
from tests.catalog.factories import ProductFactory, VariantFactory


def product_with_variants(
    title: str = "Tee",
    *,
    colours: tuple[str, ...] = ("Red", "Blue"),
    size: str = "M",
    price: Decimal = Decimal("10.00"),
    stock: int = 10,
) -> tuple[Product, list[Variant]]:
    """One variant per colour, all in ``size``: titled "Tee (Red / M)", ..."""
    product = ProductFactory.create(title=title, variants=0)
    colour_option = ProductOption.objects.create(product=product, name="Colour", position=0)
    size_option = ProductOption.objects.create(product=product, name="Size", position=1)
    size_value = ProductOptionValue.objects.create(option=size_option, value=size, position=0)
    variants = []
    for position, colour in enumerate(colours):
        value = ProductOptionValue.objects.create(option=colour_option, value=colour, position=position)
        variant = VariantFactory.create(product=product, price=price, stock_on_hand=stock, position=position)
        variant.option_values.add(value, size_value)
        variants.append(variant)
    return product, variants


def cart_with(*lines: tuple[Variant, int], user: User | None = None) -> Cart:
    cart = cart_create(user=user)
    for variant, quantity in lines:
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=quantity)
    return cart


def line_quantities(cart: Cart) -> dict[str, int]:
    return {line.title: line.quantity for line in CartLine.objects.filter(cart=cart)}
