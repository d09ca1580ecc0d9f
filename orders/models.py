"""Checkouts in progress, orders and their history.

An order is a snapshot: its lines copy the title, SKU, unit price, discount
and tax at the moment of purchase, and its addresses, shipping method and
discounts are copied too, so later catalog edits never change it.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _money(
    verbose_name: Any = None, **options: Any
) -> "models.DecimalField[Decimal | int | str | Combinable, Decimal]":
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **options)


class Checkout(models.Model):
    """What the shopper told us so far, kept per cart so a reload or a new
    tab resumes it. Addresses are validated, normalised snapshots."""

    cart = models.OneToOneField("cart.Cart", on_delete=models.CASCADE, related_name="checkout")
    email = models.EmailField(blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    billing_same_as_shipping = models.BooleanField(default=True)
    shipping_option_id = models.CharField(max_length=120, blank=True)
    # The order made when the shopper reached payment; a new attempt after a
    # change of the cart replaces it (the old one is cancelled).
    order = models.ForeignKey("Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Checkout of cart {self.cart_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        PAID = "paid", _("Paid")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    currency = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    subtotal = _money(_("subtotal"))
    discount_total = _money(_("discounts"))
    shipping_price = _money(_("shipping"))
    shipping_discount = _money(default=0)
    shipping_tax = _money(default=0)
    tax_total = _money(_("tax"))
    total = _money(_("total"))
    # Snapshots: the breakdown's discounts (source, label, amount), the codes,
    # tax per rate, the addresses and the shipping method as chosen.
    discounts = models.JSONField(default=list, blank=True)
    promo_codes = models.JSONField(default=list, blank=True)
    tax_by_rate = models.JSONField(default=list, blank=True)
    shipping_address = models.JSONField(default=dict)
    billing_address = models.JSONField(default=dict)
    shipping_method = models.JSONField(default=dict)
    reservation_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # What the order was made from (lines, prices, codes, addresses, method):
    # a second "Pay" on an unchanged checkout finds this order again.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When it arrived: the return window counts from here.
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ("-created_at", "-pk")
        indexes = (
            # The analytics rollups read a day's payments and cancellations,
            # and whether a customer (by email) had paid before.
            models.Index(F("paid_at"), name="orders_order_paid_at", condition=Q(paid_at__isnull=False)),
            models.Index(
                F("cancelled_at"), name="orders_order_cancelled_at", condition=Q(cancelled_at__isnull=False)
            ),
            models.Index(Upper("email"), F("paid_at"), name="orders_order_customer_paid"),
        )
        constraints = (
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_total__lte=F("subtotal") + F("shipping_price")),
                name="orders_order_discount_within_amounts",
            ),
        )

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"number": self.number})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    product_title = models.CharField(max_length=255)  # with its options: "Tee (Red / M)"
    sku = models.CharField(max_length=64)
    unit_price = _money()
    quantity = models.PositiveIntegerField()
    subtotal = _money()
    discount = _money()
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3)
    tax = _money()
    total = _money()
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_returned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ("pk",)
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity")), name="orders_line_shipped_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=F("quantity_shipped")),
                name="orders_line_returned_within_shipped",
            ),
            models.CheckConstraint(
                condition=Q(discount__lte=F("subtotal")), name="orders_line_discount_within_subtotal"
            ),
        )

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_title}"


class OrderEvent(models.Model):
    """The audit trail: every change of status, payment, shipment, note."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.order}: {self.from_status} -> {self.to_status}"


class Return(models.Model):
    """A shopper's request to send units of a delivered order back, and
    what staff did with it. Its number is the order's with a suffix
    ("7KQ2-M9XP-A4DE-R1")."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RECEIVED = "received", _("Received")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    reason = models.TextField(_("reason"))
    staff_note = models.TextField(_("staff note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ("pk",)
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_returnline_quantity_positive"),
            models.UniqueConstraint(
                fields=("return_request", "order_line"), name="orders_returnline_one_per_order_line"
            ),
        )

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id}"
