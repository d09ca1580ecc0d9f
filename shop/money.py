"""Money is ``Decimal``, in the shop's one currency, rounded once per line.

>>> money_round(Decimal("2.345"))
Decimal('2.35')
>>> money_round(Decimal("-2.345"))
Decimal('-2.35')
>>> to_money("19.999")
Decimal('20.00')
>>> percent_of(Decimal("19.99"), Decimal("19"))
Decimal('3.80')
>>> format_money(Decimal("1234.5"), currency="EUR")
'EUR 1,234.50'
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

type MoneyInput = Decimal | int | str


def money_round(amount: Decimal) -> Decimal:
    """Round to cents, halves away from zero (commercial rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: MoneyInput) -> Decimal:
    """Parse an amount exactly; floats are refused because they are not exact.

    >>> to_money(0.1)
    Traceback (most recent call last):
    ...
    TypeError: money must be Decimal, int or str, not float
    >>> to_money("abc")
    Traceback (most recent call last):
    ...
    ValueError: not an amount: 'abc'
    """
    if isinstance(value, float) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return money_round(amount)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded to cents."""
    return money_round(amount * percent / Decimal(100))


def format_money(amount: Decimal, *, currency: str | None = None) -> str:
    """A plain, unambiguous rendering for emails and exports."""
    code = currency or settings.SHOP_CURRENCY
    return f"{code} {money_round(amount):,.2f}"


# --- Tax inside or on top of a price ----------------------------------------------------
# The tax classes are the catalog's (``catalog.taxes.TaxClass``); the rates per
# country and region are the cart's (``cart.models.TaxRate``).


def tax_included_in(gross: Decimal, rate: Decimal) -> Decimal:
    """The tax inside a price that already includes ``rate`` percent.

    >>> tax_included_in(Decimal("11.90"), Decimal("19"))
    Decimal('1.90')
    >>> tax_included_in(Decimal("0.00"), Decimal("19"))
    Decimal('0.00')
    """
    if not rate:
        return ZERO
    return money_round(gross * rate / (Decimal(100) + rate))


def tax_added_to(net: Decimal, rate: Decimal) -> Decimal:
    """The tax to add on top of a price without tax.

    >>> tax_added_to(Decimal("10.00"), Decimal("8.875"))
    Decimal('0.89')
    """
    if not rate:
        return ZERO
    return money_round(net * rate / Decimal(100))
