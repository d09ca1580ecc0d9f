from decimal import Decimal

import pytest

from shop.money import format_money, money_round, percent_of, to_money


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("1.115", "1.12"), ("-1.115", "-1.12"), ("10", "10.00")],
)
def test_money_rounds_half_up_to_cents(amount, rounded):
    assert money_round(Decimal(amount)) == Decimal(rounded)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_money(1.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", ""])
def test_non_amounts_are_refused(value):
    with pytest.raises(ValueError, match="not an amount"):
        to_money(value)


def test_vat_included_in_a_price_is_exact():
    # 19% VAT inside 119.00 is exactly 19.00
    assert percent_of(Decimal("100.00"), Decimal("19")) == Decimal("19.00")
    assert percent_of(Decimal("9.99"), Decimal("7")) == Decimal("0.70")


def test_format_uses_the_shop_currency(settings):
    settings.SHOP_CURRENCY = "USD"

    assert format_money(Decimal("5")) == "USD 5.00"
