"""Tax classes: every taxed thing (a product, a shipping method) carries one.
The rates per country, region and class live in the cart app's ``TaxRate``
table; the arithmetic is ``shop.money.tax_included_in`` / ``tax_added_to``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxClass(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    REDUCED = "reduced", _("Reduced rate")
    ZERO = "zero", _("Zero rate")
