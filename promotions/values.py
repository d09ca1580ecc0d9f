"""The values promotions speak in: an ``Offer`` (one discount rule, from a
code or an automatic promotion), why a code is refused (``PromoRefused``),
and who is buying (``Customer``, ``PromoContext``).

Promotions sit below the cart: ``cart.pricing`` prices with these values and
``cart.selectors`` asks ``promotions.selectors`` for the offers that apply.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.money import ZERO, percent_of


class OfferKind(models.TextChoices):
    PERCENT = "percent", _("Percentage off")
    FIXED = "fixed", _("Fixed amount off")
    FREE_SHIPPING = "free_shipping", _("Free shipping")
    BUY_X_PAY_Y = "buy_x_pay_y", _("Buy X, pay for Y")


@dataclass(frozen=True)
class Offer:
    """One discount rule, from a promo code or an automatic promotion.

    The scope sets are ORed: a line is eligible when its product, its brand or
    one of its categories (or their ancestors) is listed; all empty means the
    whole cart. ``value`` is a percentage for PERCENT and an amount for FIXED
    (off the eligible items together).
    """

    key: str  # the source, stable: "promotion:12" or "code:7"
    label: str  # what the shopper reads: "SUMMER10: 10% off"
    kind: str  # an OfferKind
    value: Decimal = ZERO
    code: str = ""  # empty for automatic promotions
    min_subtotal: Decimal = ZERO
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    brand_ids: frozenset[int] = frozenset()
    stackable: bool = False
    buy_quantity: int = 0
    pay_quantity: int = 0

    @property
    def is_scoped(self) -> bool:
        return bool(self.product_ids or self.category_ids or self.brand_ids)


def unit_sale_price(*, offer: Offer, unit_price: Decimal) -> Decimal | None:
    """The price one unit shows on product and listing pages under an
    automatic promotion, or None when the promotion is not a plain per-unit
    reduction (buy 3 pay 2, or one with a minimum subtotal). The cart's
    pricing takes the same amount off, so the two agree to the cent.

    >>> offer = Offer(key="promotion:1", label="-20%", kind=OfferKind.PERCENT, value=Decimal(20))
    >>> unit_sale_price(offer=offer, unit_price=Decimal("9.99"))
    Decimal('7.99')
    """
    if offer.kind != OfferKind.PERCENT or offer.min_subtotal > ZERO:
        return None
    return unit_price - min(unit_price, percent_of(unit_price, offer.value))


class RefusalReason(models.TextChoices):
    UNKNOWN = "unknown", _("unknown code")
    EXPIRED = "expired", _("expired")
    NOT_YET_VALID = "not_yet_valid", _("not yet valid")
    MINIMUM_NOT_REACHED = "minimum", _("minimum not reached")
    LIMIT_REACHED = "limit_reached", _("usage limit reached")
    ALREADY_USED = "already_used", _("already used by you")
    FIRST_ORDER_ONLY = "first_order_only", _("first order only")
    NOT_APPLICABLE = "not_applicable", _("not applicable to these items")
    NOT_STACKABLE = "not_stackable", _("cannot be combined")


class PromoRefused(Exception):
    """A code the shopper may not use; ``message`` says why, in their words."""

    def __init__(self, reason: str, message: str, *, shortfall: Decimal | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.shortfall = shortfall


@dataclass(frozen=True)
class Customer:
    """Who is buying, as far as promo limits care."""

    user_id: int | None = None
    email: str = ""
    # How many orders they placed, for "first order only" codes: a number, or
    # a function that counts them when such a code asks (the checkout passes
    # ``orders.selectors.customer_orders_count``). The cart, below orders,
    # passes neither: there such a code is accepted, and checked at checkout.
    order_count: int | None = None
    orders_counter: Callable[[], int] | None = field(default=None, compare=False)

    def orders_placed(self) -> int:
        if self.order_count is not None:
            return self.order_count
        return self.orders_counter() if self.orders_counter is not None else 0


@dataclass(frozen=True)
class PromoContext:
    customer: Customer = field(default_factory=Customer)
    now: datetime | None = None
