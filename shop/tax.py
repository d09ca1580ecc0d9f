"""Tax classes and the two ways a tax is taken from a price.

Every taxed thing (a product, a shipping method) carries one of these
classes; the rates per country and region live in the cart app's ``TaxRate``
table. Amounts are rounded once, per line, through ``shop.money``.

>>> tax_included_in(Decimal("11.90"), Decimal("19"))
Decimal('1.90')
>>> tax_added_to(Decimal("10.00"), Decimal("8.875"))
Decimal('0.89')
>>> tax_included_in(Decimal("0.00"), Decimal("19"))
Decimal('0.00')
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.money import ZERO, money_round


class TaxClass(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    REDUCED = "reduced", _("Reduced rate")
    ZERO = "zero", _("Zero rate")


def tax_included_in(gross: Decimal, rate: Decimal) -> Decimal:
    """The tax inside a price that already includes ``rate`` percent."""
    if not rate:
        return ZERO
    return money_round(gross * rate / (Decimal(100) + rate))


def tax_added_to(net: Decimal, rate: Decimal) -> Decimal:
    """The tax to add on top of a price without tax."""
    if not rate:
        return ZERO
    return money_round(net * rate / Decimal(100))
