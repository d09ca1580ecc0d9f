"""What shoppers do, as append-only events (``analytics.events.track``).

An event names no person: ``visitor`` is a pseudonym (a keyed hash that
changes every day for anonymous visitors, and a stable keyed hash of the
account for signed-in ones), never an IP address or an email; ``user_id``
is kept only so that an account's data export and deletion can find its
events. Objects are named by id or slug, without foreign keys, so a write is
one cheap insert and an event outlives what it names.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


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


# Daily rollups: what the dashboard and the reports read. One row per day (and
# per product, category, ...), recomputed whole by analytics.rollups.day_rollup,
# so recomputing a day gives the same rows. Money is summed in the shop's one
# currency (SHOP_CURRENCY) and rounded once, when it was charged; the rollups
# add exact Decimals. A day is a day of the shop's TIME_ZONE.


def _money(verbose_name: "StrOrPromise | None" = None) -> "models.DecimalField[Decimal | int | str, Decimal]":
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=Decimal(0))


class DailySales(models.Model):
    """The day's orders and money (from the orders and payments tables) and
    the day's shoppers (from the events)."""

    day = models.DateField(_("day"), unique=True)
    # Orders paid that day, and what they were charged (total incl. tax and shipping).
    orders = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    gross = _money(_("charged"))
    discounts = _money(_("discounts"))
    shipping = _money(_("shipping"))
    tax = _money(_("tax"))
    # Refunds that succeeded, by the day they were made (not the order's day).
    refunds = _money(_("refunds"))
    refunds_count = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)  # orders cancelled that day
    # Customers (by email) who paid that day, first order ever or not.
    new_customers = models.PositiveIntegerField(default=0)
    returning_customers = models.PositiveIntegerField(default=0)
    promo_orders = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)  # return requests made that day
    returned_units = models.PositiveIntegerField(default=0)
    # Distinct visitors (pseudonyms) at each step, each step counted on its own.
    visitors = models.PositiveIntegerField(default=0)
    product_viewers = models.PositiveIntegerField(default=0)
    cart_adders = models.PositiveIntegerField(default=0)
    checkout_starters = models.PositiveIntegerField(default=0)
    buyers = models.PositiveIntegerField(default=0)
    searches = models.PositiveIntegerField(default=0)
    zero_result_searches = models.PositiveIntegerField(default=0)
    sign_ups = models.PositiveIntegerField(default=0)
    # Whether the events were there when the day was computed: a day older
    # than the events' retention keeps its event figures when recomputed.
    events_counted = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        ordering = ("day",)
        permissions = (("view_reports", _("Can see the analytics dashboard and reports")),)

    def __str__(self) -> str:
        return str(self.day)


class DailyProduct(models.Model):
    """A product's day: units and revenue of the orders paid that day (by
    line, after line discounts, incl. tax), units returned, and its views
    and cart adds. ``product_id`` is empty for lines of deleted variants."""

    day = models.DateField(_("day"))
    product_id = models.BigIntegerField(null=True, blank=True)
    units = models.PositiveIntegerField(default=0)
    revenue = _money(_("revenue"))
    returned_units = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    cart_adds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily product figures")
        verbose_name_plural = _("daily product figures")
        constraints = (
            models.UniqueConstraint(fields=("day", "product_id"), name="analytics_dailyproduct_day_product"),
        )
        indexes = (models.Index(fields=("product_id", "day"), name="analytics_dailyproduct_product"),)

    def __str__(self) -> str:
        return f"{self.day} product {self.product_id}"


class DailyCategory(models.Model):
    """A category's day: its products' units and revenue (a product in two
    categories counts in both) and the views of the category's page."""

    day = models.DateField(_("day"))
    category_id = models.BigIntegerField()
    units = models.PositiveIntegerField(default=0)
    revenue = _money(_("revenue"))
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily category figures")
        verbose_name_plural = _("daily category figures")
        constraints = (
            models.UniqueConstraint(
                fields=("day", "category_id"), name="analytics_dailycategory_day_category"
            ),
        )

    def __str__(self) -> str:
        return f"{self.day} category {self.category_id}"


class DailyBreakdown(models.Model):
    """The day's figures by one dimension: a channel (the ``utm_source`` of
    the visit, empty for direct), a shipping country, a promo code, a search
    query or a return reason."""

    class Dimension(models.TextChoices):
        CHANNEL = "channel", _("Channel")
        COUNTRY = "country", _("Country")
        PROMO = "promo", _("Promo code")
        SEARCH = "search", _("Search")
        RETURN_REASON = "return_reason", _("Return reason")

    day = models.DateField(_("day"))
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    key = models.CharField(max_length=200, blank=True)
    # What the figures are, by dimension:
    #   channel:        count = campaign visits, count2 = orders placed by those visitors that day,
    #                   amount = those orders' value (direct: orders by everyone else)
    #   country:        count = orders paid, count2 = units, amount = charged
    #   promo:          count = orders paid with the code, amount = the discount it gave
    #   search:         count = searches, count2 = of them with no result
    #   return_reason:  count = returns asked, count2 = units
    count = models.PositiveIntegerField(default=0)
    count2 = models.PositiveIntegerField(default=0)
    amount = _money()

    class Meta:
        verbose_name = _("daily breakdown")
        verbose_name_plural = _("daily breakdowns")
        constraints = (
            models.UniqueConstraint(
                fields=("dimension", "day", "key"), name="analytics_dailybreakdown_dimension_day_key"
            ),
        )

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key}"


class ReportSchedule(models.Model):
    """A sales report a staff member asked to receive by email: daily (the
    day before) or weekly (on Monday, the week Monday to Sunday before), as
    HTML with every report in a PDF attached (``analytics.services``).
    ``last_sent_for`` is the last day of the last period sent: a retry or a
    second run of beat finds it and sends nothing twice."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("daily (yesterday)")
        WEEKLY = "weekly", _("weekly (on Monday, the week before)")

    class Compare(models.TextChoices):
        PREVIOUS = "previous", _("with the period before")
        YEAR = "year", _("with the same period a year before")
        NONE = "none", _("no comparison")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_schedules",
        verbose_name=_("sent to"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    compare = models.CharField(_("compare"), max_length=10, choices=Compare.choices, default=Compare.PREVIOUS)
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_for = models.DateField(_("last sent for the period ending"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        ordering = ("user", "frequency", "pk")

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} report to {self.user}"
