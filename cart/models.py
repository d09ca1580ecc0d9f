"""Carts and tax rates.

A guest's cart is a row like a user's; the guest's session holds its id. So
every cart has the same lines, line ids and rules, and old guest carts are
simply rows a periodic task deletes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.taxes import TaxClass


class Cart(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    # Codes as the promotions app normalised them, in the order applied.
    promo_codes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.user or 'guest'})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    # SET_NULL: a deleted variant leaves the line behind long enough to tell
    # the shopper it dropped out, by the title kept below.
    variant = models.ForeignKey(
        "catalog.Variant", null=True, on_delete=models.SET_NULL, related_name="cart_lines"
    )
    title = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # The price shown when the line was added; a later difference is flagged.
    price_when_added = models.DecimalField(max_digits=12, decimal_places=2)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ("added_at", "pk")
        constraints = (
            models.UniqueConstraint(fields=("cart", "variant"), name="cart_line_one_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        )

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"


class TaxRate(models.Model):
    """The rate of one tax class in a country, or in one region of it (US
    states, Canadian provinces). A region's row wins over the country's."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO code, e.g. DE or US."))
    region = models.CharField(
        _("region"),
        max_length=64,
        blank=True,
        help_text=_("As in addresses (e.g. CA for California); empty for the whole country."),
    )
    tax_class = models.CharField(_("tax class"), max_length=16, choices=TaxClass.choices)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. VAT, sales tax."))

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ("country", "region", "tax_class")
        constraints = (
            models.UniqueConstraint(fields=("country", "region", "tax_class"), name="cart_tax_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="cart_tax_rate_in_range"),
        )

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where} {self.get_tax_class_display()}: {self.rate}%"
