"""Promotions and codes as ``promotions.values.Offer`` values, the cart's words,
and the labels shoppers read ("SUMMER10: 10% off", "-20%").

Category scope: an Offer lists the selected category ids only, not their
descendants. The cart's pricing matches them against each line's
``category_ids``, which hold the product's categories *and their ancestors*,
so a product filed under "Shoes > Trainers" matches an offer on "Shoes"
without the offer expanding the tree (and without a query per descendant).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from promotions.models import PromoCode, Promotion, PromotionRule
from promotions.values import Offer, OfferKind
from shop.money import format_money


def percent_text(value: Decimal) -> str:
    """A percentage without trailing zeros.

    >>> percent_text(Decimal("10.00")), percent_text(Decimal("12.50"))
    ('10', '12.5')
    """
    return f"{value.normalize():f}"


def rule_summary(rule: PromotionRule) -> str:
    """What the rule takes off, in a few words: "10% off", "EUR 5.00 off",
    "free shipping", "buy 3, pay for 2"."""
    if rule.kind == OfferKind.PERCENT:
        return _("%(percent)s%% off") % {"percent": percent_text(rule.value)}
    if rule.kind == OfferKind.FIXED:
        return _("%(amount)s off") % {"amount": format_money(rule.value)}
    if rule.kind == OfferKind.FREE_SHIPPING:
        return _("free shipping")
    return _("buy %(buy)s, pay for %(pay)s") % {"buy": rule.buy_quantity, "pay": rule.pay_quantity}


def promotion_badge(promotion: Promotion) -> str:
    """The small label beside a product's price: "-20%", "Buy 3, pay for 2"."""
    if promotion.kind == OfferKind.PERCENT:
        badge = f"-{percent_text(promotion.value)}%"
    elif promotion.kind == OfferKind.BUY_X_PAY_Y:
        badge = _("Buy %(buy)s, pay for %(pay)s") % {
            "buy": promotion.buy_quantity,
            "pay": promotion.pay_quantity,
        }
    else:
        badge = _("%(amount)s off") % {"amount": format_money(promotion.value)}
    if promotion.min_subtotal > 0:
        badge = _("%(badge)s from %(minimum)s") % {
            "badge": badge,
            "minimum": format_money(promotion.min_subtotal),
        }
    return badge[:80]


def _ids(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values)


def promotion_offer(
    promotion: Promotion,
    *,
    category_ids: Iterable[int] = (),
    brand_ids: Iterable[int] = (),
    product_ids: Iterable[int] = (),
) -> Offer:
    """An automatic promotion as an Offer; the scope ids are given by the
    caller, who read them in one query for all promotions."""
    return Offer(
        key=f"promotion:{promotion.pk}",
        label=f"{promotion.name}: {rule_summary(promotion)}",
        kind=promotion.kind,
        value=promotion.value,
        min_subtotal=promotion.min_subtotal,
        category_ids=_ids(category_ids),
        brand_ids=_ids(brand_ids),
        product_ids=_ids(product_ids),
        buy_quantity=promotion.buy_quantity,
        pay_quantity=promotion.pay_quantity,
    )


def promo_code_offer_build(
    code: PromoCode,
    *,
    category_ids: Iterable[int] = (),
    brand_ids: Iterable[int] = (),
    product_ids: Iterable[int] = (),
) -> Offer:
    """A code as an Offer; ``code.code`` is stored normalised (upper-case)."""
    return Offer(
        key=f"code:{code.pk}",
        label=f"{code.code}: {rule_summary(code)}",
        kind=code.kind,
        value=code.value,
        code=code.code,
        min_subtotal=code.min_subtotal,
        category_ids=_ids(category_ids),
        brand_ids=_ids(brand_ids),
        product_ids=_ids(product_ids),
        stackable=code.stackable,
        buy_quantity=code.buy_quantity,
        pay_quantity=code.pay_quantity,
    )
