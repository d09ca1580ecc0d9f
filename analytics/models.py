"""What shoppers do, as append-only events (``analytics.events.track``).

An event names no person: ``visitor`` is a pseudonym (a keyed hash that
changes every day for anonymous visitors, and a stable keyed hash of the
account for signed-in ones), never an IP address or an email; ``user_id``
is kept only so that an account's data export and deletion can find its
events. Objects are named by id or slug, without foreign keys, so a write is
one cheap insert and an event outlives what it names.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    class Name(models.TextChoices):
        PRODUCT_VIEW = "product_view", _("Product viewed")
        LISTING_VIEW = "listing_view", _("Listing or category viewed")
        SEARCH = "search", _("Search")
        CART_ADD = "cart_add", _("Added to cart")
        CART_REMOVE = "cart_remove", _("Removed from cart")
        CHECKOUT_STEP = "checkout_step", _("Checkout step reached")
        ORDER_PLACED = "order_placed", _("Order placed")
        SIGN_UP = "sign_up", _("Signed up")
        WISHLIST_ADD = "wishlist_add", _("Saved to a wishlist")
        REVIEW_WRITTEN = "review_written", _("Review written")
        CAMPAIGN_VISIT = "campaign_visit", _("Visit from a shared link or campaign")

    name = models.CharField(_("event"), max_length=24, choices=Name.choices)
    occurred_at = models.DateTimeField(_("when"))
    visitor = models.CharField(_("visitor"), max_length=32)
    user_id = models.BigIntegerField(null=True, blank=True)
    # What the event is about; the fields that do not apply stay empty.
    product_id = models.BigIntegerField(null=True, blank=True)
    slug = models.CharField(max_length=220, blank=True)  # a product or category page by its slug
    reference = models.CharField(max_length=40, blank=True)  # an order number
    quantity = models.IntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    query = models.CharField(max_length=200, blank=True)  # a search, lower-cased
    results = models.IntegerField(null=True, blank=True)
    step = models.CharField(max_length=20, blank=True)  # a checkout step
    source = models.CharField(max_length=40, blank=True)  # utm_source of the visit

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = (
            models.Index(fields=("occurred_at",), name="analytics_event_when"),
            models.Index(fields=("name", "occurred_at"), name="analytics_event_name_when"),
            models.Index(
                fields=("user_id",), name="analytics_event_user", condition=models.Q(user_id__isnull=False)
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} at {self.occurred_at:%Y-%m-%d %H:%M}"


class VisitorSalt(models.Model):
    """The day's random key of anonymous visitors' pseudonyms: deleted after
    the day, so yesterday's pseudonyms cannot be linked to today's."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)
