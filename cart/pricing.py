"""The one pricing function: every amount a shopper sees comes from ``price``.

It is pure (no database, no clock): the cart page, the checkout and order
placement gather lines, offers, a shipping charge and tax rates, and all call
it, so they cannot disagree. Rules, in order:

1. Automatic promotions. Each line takes at most one; the promotions giving
   the most money off claim their lines first.
2. Promo codes, in the order they were applied, on what is left after
   step 1. One code per cart unless every code applied is stackable.
   A code whose conditions the cart does not meet is listed in ``refused``
   with the reason, and takes nothing off.
3. Tax per line, on the line's total after discounts: taken out of it when
   prices include tax, added on top otherwise. Shipping is taxed by its own
   tax class.

Amounts are rounded once per line (``shop.money``), and a discount spread
over several lines is split by largest remainder so the cents add up.

>>> line = PricingLine(key=1, product_id=1, unit_price=Decimal("10.00"), quantity=3)
>>> ten = Offer(key="code:1", label="TEN", kind=OfferKind.PERCENT, value=Decimal(10), code="TEN")
>>> b = price(lines=[line], offers=[ten], rates={"standard": Decimal(19)}, prices_include_tax=True)
>>> b.subtotal, b.discount_total, b.tax, b.total
(Decimal('30.00'), Decimal('3.00'), Decimal('4.31'), Decimal('27.00'))
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.taxes import TaxClass
from promotions.values import Offer, OfferKind, RefusalReason
from shop.money import CENT, ZERO, format_money, money_round, percent_of, tax_added_to, tax_included_in


@dataclass(frozen=True)
class PricingLine:
    key: int
    product_id: int
    unit_price: Decimal
    quantity: int
    brand_id: int | None = None
    # The product's categories and all their ancestors.
    category_ids: frozenset[int] = frozenset()
    tax_class: str = TaxClass.STANDARD


@dataclass(frozen=True)
class ShippingCharge:
    price: Decimal
    tax_class: str = TaxClass.STANDARD
    label: str = ""


@dataclass(frozen=True)
class PricedLine:
    key: int
    unit_price: Decimal
    quantity: int
    subtotal: Decimal  # unit price times quantity
    discount: Decimal
    total: Decimal  # subtotal - discount
    tax_rate: Decimal
    tax: Decimal
    discounts: tuple[tuple[str, Decimal], ...] = ()  # (offer key, amount)


@dataclass(frozen=True)
class AppliedDiscount:
    key: str
    label: str
    kind: str
    amount: Decimal
    code: str = ""


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str
    message: str
    shortfall: Decimal | None = None


@dataclass(frozen=True)
class Breakdown:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discounts: tuple[AppliedDiscount, ...]
    discount_total: Decimal  # off the lines and off shipping
    shipping: Decimal | None  # before its discount; None until a method is chosen
    shipping_discount: Decimal
    shipping_tax: Decimal
    tax: Decimal  # lines and shipping
    total: Decimal
    prices_include_tax: bool
    refused: tuple[Refusal, ...] = ()
    tax_by_rate: tuple[tuple[Decimal, Decimal], ...] = field(default=())  # (rate, tax)

    @property
    def line_discount_total(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def free_shipping(self) -> bool:
        return any(d.kind == OfferKind.FREE_SHIPPING for d in self.discounts)


def price(
    *,
    lines: Sequence[PricingLine],
    offers: Sequence[Offer] = (),
    shipping: ShippingCharge | None = None,
    rates: Mapping[str, Decimal],
    prices_include_tax: bool,
) -> Breakdown:
    """The breakdown of ``lines`` under ``offers``, ``shipping`` and tax
    ``rates``, by the rules of this module in their order."""
    subtotals = {line.key: money_round(line.unit_price * line.quantity) for line in lines}
    subtotal = sum(subtotals.values(), ZERO)
    ledger = _DiscountLedger(remaining=dict(subtotals))
    automatic = _automatic_promotions_apply(ledger, offers=offers, lines=lines, subtotal=subtotal)
    codes = _codes_apply(ledger, offers=offers, lines=lines, subtotal=subtotal, shipping=shipping)
    priced = _lines_priced(ledger, lines=lines, subtotals=subtotals, rates=rates, include=prices_include_tax)
    # Rule 3 for shipping, taxed by its own class after its discount, then the sums.
    tax_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in priced:
        tax_by_rate[line.tax_rate] += line.tax
    shipping_price = shipping.price if shipping else None
    shipping_tax = ZERO
    if shipping:
        rate = rates.get(shipping.tax_class, ZERO)
        shipping_tax = _tax(shipping.price - codes.shipping_discount, rate, prices_include_tax)
        tax_by_rate[rate] += shipping_tax
    line_discounts = sum((p.discount for p in priced), ZERO)
    tax = sum(tax_by_rate.values(), ZERO)
    total = subtotal - line_discounts + (shipping_price or ZERO) - codes.shipping_discount
    if not prices_include_tax:
        total += tax
    return Breakdown(
        lines=priced,
        subtotal=subtotal,
        discounts=(*automatic, *codes.applied),
        discount_total=line_discounts + codes.shipping_discount,
        shipping=shipping_price,
        shipping_discount=codes.shipping_discount,
        shipping_tax=shipping_tax,
        tax=tax,
        total=total,
        prices_include_tax=prices_include_tax,
        refused=codes.refused,
        tax_by_rate=tuple(sorted((r, t) for r, t in tax_by_rate.items() if t)),
    )


@dataclass
class _DiscountLedger:
    """What is left of each line's subtotal as offers take their part, and
    which offer took how much off which line."""

    remaining: dict[int, Decimal]
    taken: defaultdict[int, list[tuple[str, Decimal]]] = field(default_factory=lambda: defaultdict(list))

    def take(self, offer: Offer, amounts: Mapping[int, Decimal]) -> Decimal:
        """Take ``amounts`` off their lines for ``offer``, each within what
        the line has left; the total taken."""
        total = ZERO
        for key, amount in amounts.items():
            amount = min(amount, self.remaining[key])
            if amount > ZERO:
                self.remaining[key] -= amount
                self.taken[key].append((offer.key, amount))
                total += amount
        return total


def _automatic_promotions_apply(
    ledger: _DiscountLedger, *, offers: Sequence[Offer], lines: Sequence[PricingLine], subtotal: Decimal
) -> list[AppliedDiscount]:
    """Rule 1: each line takes at most one automatic promotion; the one
    giving the most money off claims its lines first (the earlier on ties)."""
    applied = []
    automatic = [o for o in offers if not o.code and subtotal >= o.min_subtotal]
    claimed: set[int] = set()
    while automatic:
        open_lines = [line for line in lines if line.key not in claimed]
        candidates = [(o, _line_amounts(o, _eligible(o, open_lines), ledger.remaining)) for o in automatic]
        best, best_amounts = max(candidates, key=lambda c: sum(c[1].values(), ZERO))  # first on ties
        automatic.remove(best)
        if amount := ledger.take(best, best_amounts):
            claimed.update(key for key, value in best_amounts.items() if value > ZERO)
            applied.append(AppliedDiscount(best.key, best.label, best.kind, amount))
    return applied


@dataclass(frozen=True)
class _CodesApplied:
    applied: tuple[AppliedDiscount, ...]
    refused: tuple[Refusal, ...]
    shipping_discount: Decimal


def _codes_apply(
    ledger: _DiscountLedger,
    *,
    offers: Sequence[Offer],
    lines: Sequence[PricingLine],
    subtotal: Decimal,
    shipping: ShippingCharge | None,
) -> _CodesApplied:
    """Rule 2: the promo codes in the order applied, on what the automatic
    promotions left; a code the cart does not qualify for is refused."""
    applied: list[AppliedDiscount] = []
    refused: list[Refusal] = []
    shipping_discount = ZERO
    accepted: list[Offer] = []
    for offer in (o for o in offers if o.code):
        if refusal := _code_refusal(offer, accepted, lines, subtotal):
            refused.append(refusal)
            continue
        accepted.append(offer)
        if offer.kind == OfferKind.FREE_SHIPPING:
            amount = (shipping.price - shipping_discount) if shipping else ZERO
            shipping_discount += amount  # a second free-shipping code has nothing left to take
        else:
            amount = ledger.take(offer, _line_amounts(offer, _eligible(offer, lines), ledger.remaining))
        applied.append(AppliedDiscount(offer.key, offer.label, offer.kind, amount, offer.code))
    return _CodesApplied(tuple(applied), tuple(refused), shipping_discount)


def _lines_priced(
    ledger: _DiscountLedger,
    *,
    lines: Sequence[PricingLine],
    subtotals: Mapping[int, Decimal],
    rates: Mapping[str, Decimal],
    include: bool,
) -> tuple[PricedLine, ...]:
    """Rule 3 for the lines: each line's total after its discounts, and the
    tax of its class on that total (inside it when prices ``include`` tax)."""
    priced = []
    for line in lines:
        rate = rates.get(line.tax_class, ZERO)
        total = ledger.remaining[line.key]
        priced.append(
            PricedLine(
                key=line.key,
                unit_price=line.unit_price,
                quantity=line.quantity,
                subtotal=subtotals[line.key],
                discount=subtotals[line.key] - total,
                total=total,
                tax_rate=rate,
                tax=_tax(total, rate, include),
                discounts=tuple(ledger.taken[line.key]),
            )
        )
    return tuple(priced)


def _eligible(offer: Offer, lines: Sequence[PricingLine]) -> list[PricingLine]:
    if not offer.is_scoped:
        return list(lines)
    return [
        line
        for line in lines
        if line.product_id in offer.product_ids
        or (line.brand_id is not None and line.brand_id in offer.brand_ids)
        or not offer.category_ids.isdisjoint(line.category_ids)
    ]


def _line_amounts(
    offer: Offer, lines: Sequence[PricingLine], remaining: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    """What ``offer`` would take off each eligible line, within what is left."""
    percent = min(offer.value, Decimal(100))
    if offer.kind == OfferKind.PERCENT and not offer.code:
        # Per unit, so the cart agrees with the sale price product pages show.
        return {line.key: percent_of(line.unit_price, percent) * line.quantity for line in lines}
    if offer.kind == OfferKind.PERCENT:
        return {line.key: percent_of(remaining[line.key], percent) for line in lines}
    if offer.kind == OfferKind.FIXED:
        base = {line.key: remaining[line.key] for line in lines}
        return _allocate(min(offer.value, sum(base.values(), ZERO)), base)
    if offer.kind == OfferKind.BUY_X_PAY_Y:
        return _buy_x_pay_y(offer, lines, remaining)
    return {}


def _buy_x_pay_y(
    offer: Offer, lines: Sequence[PricingLine], remaining: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    """In every group of X units (dearest first) the cheapest X - Y are free."""
    group, pay = offer.buy_quantity, offer.pay_quantity
    if group <= 0 or not 0 <= pay < group:
        return {}
    units = sorted(
        (
            (line.unit_price, index, line.key)
            for index, line in enumerate(lines)
            for _unit in range(line.quantity)
        ),
        key=lambda unit: (-unit[0], unit[1]),
    )
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for start in range(0, len(units) - group + 1, group):
        for unit_price, _index, key in units[start + pay : start + group]:
            amounts[key] += unit_price
    return {key: min(amount, remaining[key]) for key, amount in amounts.items()}


def _allocate(amount: Decimal, weights: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Split ``amount`` over ``weights`` in proportion, in whole cents that
    add up exactly (largest remainder first).

    >>> _allocate(Decimal("10.00"), {1: Decimal("1.00"), 2: Decimal("1.00"), 3: Decimal("1.00")})
    {1: Decimal('3.34'), 2: Decimal('3.33'), 3: Decimal('3.33')}
    """
    total = sum(weights.values(), ZERO)
    if total <= ZERO or amount <= ZERO:
        return {}
    cents = int(amount / CENT)
    shares = {key: cents * weight / total for key, weight in weights.items()}
    floors = {key: int(share) for key, share in shares.items()}
    leftover = cents - sum(floors.values())
    by_remainder = sorted(shares, key=lambda key: shares[key] - floors[key], reverse=True)
    for key in by_remainder[:leftover]:
        floors[key] += 1
    return {key: Decimal(value) * CENT for key, value in floors.items()}


def _code_refusal(
    offer: Offer, accepted: Sequence[Offer], lines: Sequence[PricingLine], subtotal: Decimal
) -> Refusal | None:
    if accepted and not (offer.stackable and all(other.stackable for other in accepted)):
        return Refusal(
            offer.code,
            RefusalReason.NOT_STACKABLE,
            _("%(code)s cannot be combined with %(other)s.")
            % {"code": offer.code, "other": accepted[0].code},
        )
    if subtotal < offer.min_subtotal:
        shortfall = offer.min_subtotal - subtotal
        return Refusal(
            offer.code,
            RefusalReason.MINIMUM_NOT_REACHED,
            _("%(code)s needs a subtotal of %(minimum)s: add %(shortfall)s more.")
            % {
                "code": offer.code,
                "minimum": format_money(offer.min_subtotal),
                "shortfall": format_money(shortfall),
            },
            shortfall=shortfall,
        )
    if not _eligible(offer, lines):
        return Refusal(
            offer.code,
            RefusalReason.NOT_APPLICABLE,
            _("%(code)s does not apply to the items in your cart.") % {"code": offer.code},
        )
    return None


def _tax(amount: Decimal, rate: Decimal, prices_include_tax: bool) -> Decimal:
    return tax_included_in(amount, rate) if prices_include_tax else tax_added_to(amount, rate)
