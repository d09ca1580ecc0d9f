"""The pricing function: its rules on worked carts, and its invariants on
carts hypothesis makes up."""

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cart.pricing import PricingLine, ShippingCharge, price
from catalog.taxes import TaxClass
from promotions.values import Offer, OfferKind, RefusalReason

D = Decimal
NO_TAX: dict[str, Decimal] = {}


def line(key: int, unit: str, quantity: int = 1, **kwargs: Any) -> PricingLine:
    product_id = kwargs.pop("product_id", key)
    return PricingLine(key=key, product_id=product_id, unit_price=D(unit), quantity=quantity, **kwargs)


def code(name: str, kind: str, value: str = "0", **kwargs: Any) -> Offer:
    return Offer(key=f"code:{name}", label=name, kind=kind, value=D(value), code=name, **kwargs)


def auto(key: str, kind: str, value: str = "0", **kwargs: Any) -> Offer:
    return Offer(key=f"promotion:{key}", label=key, kind=kind, value=D(value), **kwargs)


def test_percent_code_rounds_per_line_half_up() -> None:
    lines = [line(1, "0.25", 1), line(2, "0.35", 1)]  # 10% = 0.025 and 0.035
    result = price(
        lines=lines, offers=[code("TEN", OfferKind.PERCENT, "10")], rates=NO_TAX, prices_include_tax=True
    )
    assert [p.discount for p in result.lines] == [D("0.03"), D("0.04")]
    assert result.total == D("0.53")


def test_fixed_code_is_split_over_lines_to_the_cent_and_never_exceeds_them() -> None:
    lines = [line(1, "10.00"), line(2, "10.00"), line(3, "10.00")]
    result = price(
        lines=lines, offers=[code("FIVE", OfferKind.FIXED, "10")], rates=NO_TAX, prices_include_tax=True
    )
    assert [p.discount for p in result.lines] == [D("3.34"), D("3.33"), D("3.33")]
    huge = price(
        lines=lines, offers=[code("BIG", OfferKind.FIXED, "500")], rates=NO_TAX, prices_include_tax=True
    )
    assert huge.discount_total == D("30.00")
    assert huge.total == D("0.00")


def test_code_scoped_to_a_category_applies_to_that_category_and_its_descendants_only() -> None:
    lines = [line(1, "20.00", category_ids=frozenset({1, 4})), line(2, "20.00", category_ids=frozenset({2}))]
    offer = code("SHOES", OfferKind.PERCENT, "50", category_ids=frozenset({1}))
    result = price(lines=lines, offers=[offer], rates=NO_TAX, prices_include_tax=True)
    assert [p.discount for p in result.lines] == [D("10.00"), D("0.00")]


def test_scope_by_brand_or_product() -> None:
    lines = [line(1, "10.00", brand_id=7), line(2, "10.00", brand_id=8), line(3, "10.00")]
    by_brand = code("B", OfferKind.PERCENT, "10", brand_ids=frozenset({7}))
    by_product = code("P", OfferKind.PERCENT, "10", product_ids=frozenset({3}))
    assert [
        p.discount for p in price(lines=lines, offers=[by_brand], rates=NO_TAX, prices_include_tax=True).lines
    ] == [
        D("1.00"),
        D("0.00"),
        D("0.00"),
    ]
    assert [
        p.discount
        for p in price(lines=lines, offers=[by_product], rates=NO_TAX, prices_include_tax=True).lines
    ] == [D("0.00"), D("0.00"), D("1.00")]


def test_code_for_items_not_in_the_cart_is_refused_as_not_applicable() -> None:
    offer = code("OTHER", OfferKind.PERCENT, "10", product_ids=frozenset({99}))
    result = price(lines=[line(1, "10.00")], offers=[offer], rates=NO_TAX, prices_include_tax=True)
    assert result.discount_total == D("0.00")
    assert [(r.code, r.reason) for r in result.refused] == [("OTHER", RefusalReason.NOT_APPLICABLE)]
    assert "does not apply to the items in your cart" in result.refused[0].message


def test_minimum_subtotal_refusal_says_by_how_much() -> None:
    offer = code("MIN50", OfferKind.FIXED, "5", min_subtotal=D("50.00"))
    result = price(lines=[line(1, "12.50", 3)], offers=[offer], rates=NO_TAX, prices_include_tax=True)
    (refusal,) = result.refused
    assert refusal.reason == RefusalReason.MINIMUM_NOT_REACHED
    assert refusal.shortfall == D("12.50")
    assert "add EUR 12.50 more" in refusal.message


def test_second_code_is_refused_unless_both_stack() -> None:
    lines = [line(1, "100.00")]
    a, b = code("A", OfferKind.PERCENT, "10"), code("B", OfferKind.FIXED, "5")
    result = price(lines=lines, offers=[a, b], rates=NO_TAX, prices_include_tax=True)
    assert result.discount_total == D("10.00")
    assert [(r.code, r.reason) for r in result.refused] == [("B", RefusalReason.NOT_STACKABLE)]
    a, b = code("A", OfferKind.PERCENT, "10", stackable=True), code("B", OfferKind.FIXED, "5", stackable=True)
    stacked = price(lines=lines, offers=[a, b], rates=NO_TAX, prices_include_tax=True)
    assert stacked.discount_total == D("15.00")  # 10% of 100, then 5 off the 90 left
    assert stacked.refused == ()


def test_free_shipping_code_takes_the_shipping_off_and_its_tax_with_it() -> None:
    offer = code("SHIP", OfferKind.FREE_SHIPPING)
    result = price(
        lines=[line(1, "10.00")],
        offers=[offer],
        shipping=ShippingCharge(price=D("4.90")),
        rates={TaxClass.STANDARD: D("19")},
        prices_include_tax=True,
    )
    assert (result.shipping, result.shipping_discount, result.shipping_tax) == (
        D("4.90"),
        D("4.90"),
        D("0.00"),
    )
    assert result.total == D("10.00")
    assert result.free_shipping


def test_each_line_takes_only_the_best_automatic_promotion() -> None:
    lines = [line(1, "10.00", 2, category_ids=frozenset({1})), line(2, "10.00", 1)]
    twenty_on_cat = auto("cat", OfferKind.PERCENT, "20", category_ids=frozenset({1}))
    ten_on_all = auto("all", OfferKind.PERCENT, "10")
    result = price(lines=lines, offers=[ten_on_all, twenty_on_cat], rates=NO_TAX, prices_include_tax=True)
    assert [p.discounts for p in result.lines] == [
        (("promotion:cat", D("4.00")),),
        (("promotion:all", D("1.00")),),
    ]


def test_automatic_percent_matches_the_per_unit_sale_price() -> None:
    # 20% of 9.99 is 1.998: each unit shows 7.99, so three cost 23.97, not 23.98.
    offer = auto("sale", OfferKind.PERCENT, "20")
    result = price(lines=[line(1, "9.99", 3)], offers=[offer], rates=NO_TAX, prices_include_tax=True)
    assert result.total == D("23.97")


def test_buy_three_pay_two_makes_the_cheapest_of_each_three_free() -> None:
    offer = auto("3for2", OfferKind.BUY_X_PAY_Y, buy_quantity=3, pay_quantity=2)
    lines = [line(1, "30.00", 2), line(2, "10.00", 2), line(3, "5.00", 3)]  # 7 units: two full groups
    result = price(lines=lines, offers=[offer], rates=NO_TAX, prices_include_tax=True)
    # Sorted dearest first: 30 30 10 | 10 5 5 | 5 -> free: 10 and 5.
    assert [p.discount for p in result.lines] == [D("0.00"), D("10.00"), D("5.00")]
    assert result.total == D("80.00")  # 95 less 15


def test_code_applies_after_automatic_promotions() -> None:
    lines = [line(1, "100.00")]
    offers = [auto("sale", OfferKind.PERCENT, "20"), code("TEN", OfferKind.PERCENT, "10")]
    result = price(lines=lines, offers=offers, rates=NO_TAX, prices_include_tax=True)
    assert result.lines[0].discounts == (("promotion:sale", D("20.00")), ("code:TEN", D("8.00")))
    assert result.total == D("72.00")


def test_automatic_promotion_with_a_minimum_waits_for_it() -> None:
    offer = auto("big", OfferKind.PERCENT, "10", min_subtotal=D("100"))
    small = price(lines=[line(1, "99.99")], offers=[offer], rates=NO_TAX, prices_include_tax=True)
    big = price(lines=[line(1, "100.00")], offers=[offer], rates=NO_TAX, prices_include_tax=True)
    assert (small.discount_total, big.discount_total) == (D("0.00"), D("10.00"))
    assert small.refused == ()  # automatic promotions are not refusals


# --- Invariants ---------------------------------------------------------------

money = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False)
small_ids = st.frozensets(st.integers(1, 4), max_size=2)


@st.composite
def lines_strategy(draw: st.DrawFn) -> list[PricingLine]:
    count = draw(st.integers(0, 5))
    return [
        PricingLine(
            key=key,
            product_id=draw(st.integers(1, 4)),
            unit_price=draw(money),
            quantity=draw(st.integers(1, 20)),
            brand_id=draw(st.none() | st.integers(1, 3)),
            category_ids=draw(small_ids),
            tax_class=draw(st.sampled_from(list(TaxClass.values))),
        )
        for key in range(1, count + 1)
    ]


@st.composite
def offer_strategy(draw: st.DrawFn) -> Offer:
    kind = draw(st.sampled_from(list(OfferKind.values)))
    is_code = draw(st.booleans()) or kind == OfferKind.FREE_SHIPPING
    buy = draw(st.integers(2, 4))
    value = (
        draw(st.decimals(min_value=0, max_value=100, places=2))
        if kind == OfferKind.PERCENT
        else draw(st.decimals(min_value=0, max_value=3000, places=2))
    )
    name = f"C{draw(st.integers(1, 9))}"
    return Offer(
        key=f"code:{name}" if is_code else f"promotion:{draw(st.integers(1, 9))}",
        label=name,
        kind=kind,
        value=value,
        code=name if is_code else "",
        min_subtotal=draw(st.sampled_from([D(0), D("50.00"), D("500.00")])),
        product_ids=draw(small_ids),
        category_ids=draw(small_ids),
        brand_ids=draw(st.frozensets(st.integers(1, 3), max_size=1)),
        stackable=draw(st.booleans()),
        buy_quantity=buy,
        pay_quantity=draw(st.integers(1, buy - 1)),
    )


rates_strategy = st.fixed_dictionaries(
    {
        TaxClass.STANDARD: st.decimals(min_value=0, max_value=27, places=3),
        TaxClass.REDUCED: st.decimals(min_value=0, max_value=10, places=3),
    }
)
shipping_strategy = st.none() | st.builds(
    ShippingCharge,
    price=st.decimals(min_value=0, max_value=50, places=2),
    tax_class=st.sampled_from(list(TaxClass.values)),
)


@settings(max_examples=300, deadline=None)
@given(
    lines=lines_strategy(),
    offers=st.lists(offer_strategy(), max_size=4),
    shipping=shipping_strategy,
    rates=rates_strategy,
    include=st.booleans(),
)
def test_breakdown_invariants(
    lines: list[PricingLine],
    offers: list[Offer],
    shipping: ShippingCharge | None,
    rates: dict[str, Decimal],
    include: bool,
) -> None:
    result = price(lines=lines, offers=offers, shipping=shipping, rates=rates, prices_include_tax=include)

    # Never negative, anywhere.
    assert result.total >= 0
    assert result.tax >= 0
    for priced in result.lines:
        # A discount never exceeds what it applies to.
        assert 0 <= priced.discount <= priced.subtotal
        assert priced.total == priced.subtotal - priced.discount >= 0
        assert sum((amount for _key, amount in priced.discounts), D(0)) == priced.discount
        assert priced.subtotal == (priced.unit_price * priced.quantity).quantize(D("0.01"))
    assert 0 <= result.shipping_discount <= (result.shipping or 0)

    # Lines add up to the subtotal, discounts to their total, all to the total.
    assert sum((p.subtotal for p in result.lines), D(0)) == result.subtotal
    assert sum((d.amount for d in result.discounts), D(0)) == result.discount_total
    assert result.discount_total == result.line_discount_total + result.shipping_discount
    expected_total = result.subtotal - result.discount_total + (result.shipping or 0)
    assert result.total == (expected_total if include else expected_total + result.tax)
    assert sum((tax for _rate, tax in result.tax_by_rate), D(0)) == result.tax
    # Everything is in cents.
    for amount in (result.total, result.tax, result.subtotal, result.discount_total):
        assert amount == amount.quantize(D("0.01"))

    # Pure: the same input gives the same answer.
    assert (
        price(lines=lines, offers=offers, shipping=shipping, rates=rates, prices_include_tax=include)
        == result
    )


@settings(max_examples=200, deadline=None)
@given(lines=lines_strategy(), offers=st.lists(offer_strategy(), max_size=3))
def test_tax_inside_a_price_never_exceeds_it(lines: list[PricingLine], offers: list[Offer]) -> None:
    result = price(lines=lines, offers=offers, rates={TaxClass.STANDARD: D("19")}, prices_include_tax=True)
    for priced in result.lines:
        assert priced.tax <= priced.total
