"""Wishlists: a person's lists of products (the default one is
"Favourites"), shareable by an unguessable link; and the alerts that bring a
shopper back: a sold-out variant in stock again, a wished item cheaper.

A guest's favourites are a list without a user whose id their session holds,
joined to the account at sign-in (``wishlists.session``), as the cart is.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Variant

NAME_MAX = 80


class Wishlist(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="wishlists"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    is_default = models.BooleanField(_("favourites"), default=False)
    # Set while the list is shared: /wishlists/shared/<token>/ shows it.
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wishlist")
        verbose_name_plural = _("wishlists")
        ordering = ("-is_default", "name", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("user",), condition=Q(is_default=True), name="wishlists_one_default_per_user"
            ),
        )

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("wishlists:detail", kwargs={"pk": self.pk})


class WishlistItem(models.Model):
    """A product on a list, or one variant of it (the size and colour chosen
    on the product page)."""

    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    quantity = models.PositiveSmallIntegerField(_("quantity wanted"), default=1)
    added_at = models.DateTimeField(auto_now_add=True)
    # The price a fall is measured from: when added, then the last price
    # alerted (or a higher one since); see wishlists.alerts.
    price_seen = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ("-added_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("wishlist", "product"),
                condition=Q(variant__isnull=True),
                name="wishlists_product_once",
            ),
            models.UniqueConstraint(
                fields=("wishlist", "variant"),
                condition=Q(variant__isnull=False),
                name="wishlists_variant_once",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=99), name="wishlists_quantity_1_99"
            ),
        )

    def __str__(self) -> str:
        return f"{self.product_id}/{self.variant_id or '-'}"


class StockAlert(models.Model):
    """ "Tell me when it is back": a person (an account, or a guest's address
    once confirmed) waiting for a sold-out variant."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("email"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("back-in-stock alert")
        verbose_name_plural = _("back-in-stock alerts")
        constraints = (
            models.UniqueConstraint(
                fields=("variant", "email"),
                condition=Q(notified_at__isnull=True),
                name="wishlists_one_waiting_alert",
            ),
        )
        indexes = (
            models.Index(
                fields=("variant", "created_at"),
                condition=Q(notified_at__isnull=True),
                name="wishlists_alerts_waiting",
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} waits for {self.variant_id}"


class StockWatch(models.Model):
    """How many units of a variant the alert job saw available last time: the
    units that came back since are those above it."""

    variant = models.OneToOneField(Variant, on_delete=models.CASCADE, primary_key=True, related_name="+")
    available_seen = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.available_seen}"
