"""What the cart page shows, gathered in one place so the page and the
fragment the JavaScript swaps in (``cart/_cart_body.html``) cannot differ.

The lines are loaded once (``cart_lines``, a constant number of queries),
lines that dropped out are pruned only when one did, and every amount comes
from the one pricing function through ``cart_price``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from cart.models import Cart, CartLine
from cart.pricing import AppliedDiscount, Breakdown, PricedLine, Refusal
from cart.selectors import cart_lines, cart_price, line_is_sellable, line_warnings
from cart.services import cart_prune
from catalog.models import ProductImage
from promotions.values import OfferKind, PromoContext


@dataclass(frozen=True)
class Saving:
    label: str  # the promotion's or code's, "Spring sale: 10% off"
    amount: Decimal


@dataclass(frozen=True)
class CartRow:
    line: CartLine
    priced: PricedLine
    warnings: list[str]
    savings: list[Saving] = field(default_factory=list)  # what each offer takes off this line

    @property
    def image(self) -> ProductImage | None:
        """The first image of the line's variant, else the product's first not
        of another variant, else its first (``cart_lines`` prefetched them)."""
        variant = self.line.variant
        if variant is None:
            return None
        images: list[ProductImage] = getattr(variant.product, "card_images", [])
        for pick in (
            lambda image: image.variant_id == variant.pk,
            lambda image: image.variant_id is None,
            lambda image: True,
        ):
            chosen = [image for image in images if pick(image)]
            if chosen:
                return min(chosen, key=lambda image: (image.position, image.pk))
        return None

    @property
    def max_quantity(self) -> int:
        """The number input's ``max``: what may be bought now (at least 1,
        so an out-of-stock line still renders a valid input)."""
        variant = self.line.variant
        available = variant.stock_available if variant else 0
        return max(1, min(available, settings.CART_MAX_QUANTITY))

    @property
    def compare_at(self) -> Decimal | None:
        variant = self.line.variant
        if variant and variant.compare_at_price and variant.compare_at_price > self.priced.unit_price:
            return variant.compare_at_price
        return None


@dataclass(frozen=True)
class HeldCode:
    """A code in the cart: what it takes off, or why it takes nothing."""

    code: str
    discount: AppliedDiscount | None
    refusal: Refusal | None

    @property
    def free_shipping(self) -> bool:
        return self.discount is not None and self.discount.kind == OfferKind.FREE_SHIPPING


@dataclass(frozen=True)
class TaxRow:
    rate: str  # "19" or "7.25"
    amount: Decimal


@dataclass(frozen=True)
class CartPage:
    rows: list[CartRow] = field(default_factory=list)
    breakdown: Breakdown | None = None
    codes: list[HeldCode] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # titles of lines pruned now
    checkout_url: str | None = None

    @property
    def count(self) -> int:
        return sum(row.line.quantity for row in self.rows)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def automatic_discounts(self) -> list[AppliedDiscount]:
        return [d for d in self.breakdown.discounts if not d.code] if self.breakdown else []

    @property
    def code_discounts(self) -> list[AppliedDiscount]:
        """Codes that take money off the items (free shipping shows with
        shipping, at checkout)."""
        if not self.breakdown:
            return []
        return [d for d in self.breakdown.discounts if d.code and d.kind != OfferKind.FREE_SHIPPING]

    @property
    def tax_rows(self) -> list[TaxRow]:
        if not self.breakdown:
            return []
        return [TaxRow(_percent(rate), amount) for rate, amount in self.breakdown.tax_by_rate]


def cart_page_build(*, cart: Cart | None, context: PromoContext) -> CartPage:
    """The cart page: its rows, breakdown and codes; lines that dropped out
    since the last visit are removed and named in ``dropped``."""
    checkout_url = _checkout_url()
    if cart is None:
        return CartPage(checkout_url=checkout_url)
    dropped, lines = cart_lines_pruned(cart=cart)
    breakdown = cart_price(cart=cart, lines=lines, context=context)
    priced = {priced.key: priced for priced in breakdown.lines}
    labels = {discount.key: discount.label for discount in breakdown.discounts}
    rows = [
        CartRow(
            line=line,
            priced=priced[line.pk],
            warnings=line_warnings(line),
            savings=[Saving(labels.get(key, ""), amount) for key, amount in priced[line.pk].discounts],
        )
        for line in lines
    ]
    return CartPage(
        rows=rows,
        breakdown=breakdown,
        codes=_held_codes(cart, breakdown),
        dropped=dropped,
        checkout_url=checkout_url,
    )


def cart_lines_pruned(*, cart: Cart) -> tuple[list[str], list[CartLine]]:
    """The cart's sellable lines, and the titles of those that were pruned.
    The prune (a query) runs only when a loaded line is no longer sellable."""
    lines = cart_lines(cart=cart)
    if all(line_is_sellable(line) for line in lines):
        return [], lines
    dropped = cart_prune(cart=cart)
    return dropped, [line for line in lines if line_is_sellable(line)]


def _held_codes(cart: Cart, breakdown: Breakdown) -> list[HeldCode]:
    discounts = {d.code.upper(): d for d in breakdown.discounts if d.code}
    refusals = {r.code.upper(): r for r in breakdown.refused}
    return [
        HeldCode(code=code, discount=discounts.get(code.upper()), refusal=refusals.get(code.upper()))
        for code in cart.promo_codes
    ]


def _percent(rate: Decimal) -> str:
    """19.000 -> "19", 7.250 -> "7.25"."""
    return f"{rate.normalize():f}"


def _checkout_url() -> str | None:
    """The checkout comes with the orders app; until then there is no button."""
    try:
        return reverse("orders:checkout")
    except NoReverseMatch:
        return None
