"""Promotions: automatic ones (no code, e.g. 20% off a category this week)
and promo codes, with the redemptions that count a code's uses.

Both kinds share their rule (``PromotionRule``): what comes off, on which
items, from which subtotal, when. The cart's pricing (``cart.pricing``) reads
them as ``promotions.values.Offer`` values made in ``promotions/offers.py``; the
checks that need the database (validity, usage limits, first order) live in
``promotions/selectors.py`` and, under a row lock at order placement, in
``promotions/services.py``.

``value`` is one column for both meanings: a percentage for PERCENT (CHECK:
0 < value <= 100) and an amount for FIXED (CHECK: value >= 0), so that an
Offer reads it as it is. Nothing is computed in ``save()``: the services
normalise codes and keep the counters and caches.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from promotions.values import OfferKind


class PromotionRule(models.Model):
    """What comes off, on which items (the scope sets are ORed; all empty
    means the whole cart), from which subtotal and when."""

    name = models.CharField(_("name"), max_length=120, help_text=_("Shown to shoppers in the cart."))
    kind = models.CharField(_("kind"), max_length=16, choices=OfferKind.choices, default=OfferKind.PERCENT)
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("A percentage (1 to 100) for percentage off, an amount for a fixed amount off."),
    )
    min_subtotal = models.DecimalField(
        _("minimum subtotal"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    # Scope. A category includes its descendants (see promotions/offers.py).
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    brands = models.ManyToManyField("catalog.Brand", blank=True, related_name="+", verbose_name=_("brands"))
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    buy_quantity = models.PositiveSmallIntegerField(
        _("buy"), default=0, help_text=_('"Buy X, pay for Y" only: X.')
    )
    pay_quantity = models.PositiveSmallIntegerField(
        _("pay for"), default=0, help_text=_('"Buy X, pay for Y" only: Y, less than X.')
    )
    is_active = models.BooleanField(_("active"), default=True)
    starts_at = models.DateTimeField(_("valid from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @classmethod
    def rule_constraints(cls, prefix: str) -> tuple[models.BaseConstraint, ...]:
        return (
            models.CheckConstraint(condition=Q(value__gte=0), name=f"{prefix}_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind=OfferKind.PERCENT) | Q(value__gt=0, value__lte=100),
                name=f"{prefix}_percent_within_0_100",
            ),
            models.CheckConstraint(
                condition=Q(min_subtotal__gte=0), name=f"{prefix}_min_subtotal_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind=OfferKind.BUY_X_PAY_Y)
                | Q(buy_quantity__gte=2, pay_quantity__gte=1, pay_quantity__lt=F("buy_quantity")),
                name=f"{prefix}_buy_more_than_pay",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name=f"{prefix}_ends_after_start",
            ),
        )

    def rule_errors(self) -> dict[str, str]:
        """The rule's inconsistencies by field, for ``clean()``."""
        errors: dict[str, str] = {}
        if self.kind == OfferKind.PERCENT and not 0 < (self.value or 0) <= 100:
            errors["value"] = str(_("A percentage is more than 0 and at most 100."))
        if self.kind == OfferKind.FIXED and not (self.value or 0) > 0:
            errors["value"] = str(_("Give the amount that comes off."))
        if self.kind == OfferKind.BUY_X_PAY_Y:
            if self.buy_quantity < 2:
                errors["buy_quantity"] = str(_("Buy at least 2."))
            elif not 1 <= self.pay_quantity < self.buy_quantity:
                errors["pay_quantity"] = str(_("Pay for at least 1 and fewer than you buy."))
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = str(_("The end must come after the start."))
        return errors


class Promotion(PromotionRule):
    """An automatic promotion: applied in the cart without a code, and shown
    on product and listing pages as a sale price (per-unit percentages) or a
    badge ("Buy 3, pay for 2")."""

    class Meta:
        verbose_name = _("automatic promotion")
        verbose_name_plural = _("automatic promotions")
        ordering = ("-starts_at", "-pk")
        constraints = (
            *PromotionRule.rule_constraints("promotions_promotion"),
            models.CheckConstraint(
                condition=~Q(kind=OfferKind.FREE_SHIPPING), name="promotions_promotion_not_free_shipping"
            ),
        )

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.rule_errors()
        if self.kind == OfferKind.FREE_SHIPPING:
            errors["kind"] = str(_("Free shipping needs a code; automatic promotions take money off items."))
        if errors:
            raise ValidationError(errors)


class PromoCode(PromotionRule):
    """A code the shopper types in the cart. Stored upper-case (the services
    normalise it) and unique whatever the case."""

    code = models.CharField(_("code"), max_length=64, help_text=_("Shoppers may type it in any case."))
    # Shoppers read the code itself ("SUMMER10: 10% off"); the name is for staff.
    name = models.CharField(_("name"), max_length=120, blank=True, help_text=_("For staff."))
    stackable = models.BooleanField(
        _("stackable"), default=False, help_text=_("May be combined with other stackable codes.")
    )
    usage_limit = models.PositiveIntegerField(
        _("usage limit"), null=True, blank=True, help_text=_("Uses in all; empty: unlimited.")
    )
    per_customer_limit = models.PositiveIntegerField(
        _("limit per customer"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    first_order_only = models.BooleanField(_("first order only"), default=False)
    # Counted at redemption with F() under the code's row lock; the CHECK makes
    # "never beyond the limit" a fact of the database, not only of the code.
    times_used = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    batch = models.CharField(
        _("batch"), max_length=64, blank=True, db_index=True, help_text=_("Set on generated codes.")
    )

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        ordering = ("code",)
        constraints = (
            *PromotionRule.rule_constraints("promotions_promocode"),
            models.UniqueConstraint(
                Upper("code"),
                name="promotions_promocode_code_unique_upper",
                violation_error_message=_("A promo code with this code already exists (codes ignore case)."),
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=F("usage_limit")),
                name="promotions_promocode_used_within_limit",
            ),
        )

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        errors = self.rule_errors()
        if self.usage_limit is not None and self.usage_limit < self.times_used:
            errors["usage_limit"] = str(
                _("The code was already used %(count)s times.") % {"count": self.times_used}
            )
        if errors:
            raise ValidationError(errors)


class Redemption(models.Model):
    """One use of a code by one order, recorded in the order's transaction.
    Kept when the customer deletes their account (orders refer to it); the
    user link goes with the user row, and the email is blanked then."""

    code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="redemptions")
    order_reference = models.CharField(_("order"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Lower-cased: per-customer limits of guests compare it without regard to case.
    email = models.EmailField(_("email"), blank=True, db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ("-created_at", "-pk")
        constraints = (
            # A retried order placement redeems once.
            models.UniqueConstraint(
                fields=("code", "order_reference"), name="promotions_redemption_once_per_order"
            ),
        )
        indexes = (models.Index(fields=("order_reference",), name="promotions_redemption_order"),)

    def __str__(self) -> str:
        return f"{self.code_id} {self.order_reference}"
