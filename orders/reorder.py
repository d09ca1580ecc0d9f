"""\"Buy again\": a past order's lines back in the cart, as far as they can be."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from cart.models import Cart
from cart.services import CartError, cart_line_add
from catalog.models import Variant
from orders.models import Order


@dataclass(frozen=True)
class BuyAgainResult:
    added: int  # units put in the cart
    notes: tuple[str, ...]  # what could not be added in full, and why


def order_buy_again(*, order: Order, cart: Cart) -> BuyAgainResult:
    """Add each line of ``order`` to ``cart``: as many units as ordered,
    capped by the stock and the per-item limit; a product no longer sold is
    skipped. Each line is added on its own (one refusal keeps the others)."""
    lines = list(order.lines.all())
    variants = Variant.objects.select_related("product").in_bulk(
        [line.variant_id for line in lines if line.variant_id is not None]
    )
    in_cart = dict(cart.lines.values_list("variant_id", "quantity"))
    added, notes = 0, []
    for line in lines:
        variant = variants.get(line.variant_id) if line.variant_id is not None else None
        if variant is None or not (variant.is_active and variant.product.is_active):
            notes.append(_("%(title)s is no longer available.") % {"title": line.product_title})
            continue
        held = in_cart.get(variant.pk, 0)
        room = min(variant.stock_available, settings.CART_MAX_QUANTITY) - held
        quantity = min(line.quantity, room)
        if quantity < 1:
            notes.append(
                _("%(title)s is out of stock.") % {"title": line.product_title}
                if variant.stock_available <= 0
                else _("%(title)s: you already have as many in your cart as can be bought.")
                % {"title": line.product_title}
            )
            continue
        try:
            cart_line_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        except CartError as exc:
            notes.append(f"{line.product_title}: {exc.message}")
            continue
        in_cart[variant.pk] = held + quantity
        added += quantity
        if quantity < line.quantity:
            notes.append(
                _("Only %(count)d of %(title)s could be added.")
                % {"count": quantity, "title": line.product_title}
            )
    return BuyAgainResult(added=added, notes=tuple(notes))
