"""The vocabulary the pricing of a cart is written in.

The cart app prices (``cart.pricing``), the promotions app knows the offers,
and the two sit on the same layer, so neither may import the other. They meet
here: promotions registers a ``PromotionSource`` at start-up and the cart asks
``promotion_source()`` for the offers that apply; both speak ``Offer`` and
``PromoRefused``. The orders app registers how many orders a customer has
placed, which "first order only" codes need.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

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
    # None: not looked up yet; ``orders_placed`` asks the orders app only
    # when a "first order only" code needs it.
    order_count: int | None = None

    def orders_placed(self) -> int:
        if self.order_count is not None:
            return self.order_count
        if self.user_id is None and not self.email:
            return 0
        return customer_order_count(user_id=self.user_id, email=self.email)


@dataclass(frozen=True)
class PromoContext:
    customer: Customer = field(default_factory=Customer)
    now: datetime | None = None


class PromotionSource(Protocol):
    def automatic_offers(self, *, now: datetime) -> list[Offer]: ...

    def code_offer(self, *, code: str, context: PromoContext) -> Offer:
        """The offer behind ``code``, or ``PromoRefused`` saying why not."""
        ...


class NoPromotions:
    """The source until the promotions app registers itself."""

    def automatic_offers(self, *, now: datetime) -> list[Offer]:
        return []

    def code_offer(self, *, code: str, context: PromoContext) -> Offer:
        raise PromoRefused(RefusalReason.UNKNOWN, str(_("This code does not exist.")))


_promotion_source: list[PromotionSource] = [NoPromotions()]
_order_counters: list[Callable[[int | None, str], int]] = []


def promotion_source_register(source: PromotionSource) -> None:
    _promotion_source[0] = source


def promotion_source() -> PromotionSource:
    return _promotion_source[0]


def customer_order_count_register(counter: Callable[[int | None, str], int]) -> None:
    """The orders app tells how many orders a user id or email has placed."""
    _order_counters[:] = [counter]


def customer_order_count(*, user_id: int | None, email: str) -> int:
    return _order_counters[0](user_id, email) if _order_counters else 0
