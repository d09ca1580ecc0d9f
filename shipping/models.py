"""Shipping: where the shop ships and for how much (zones, methods, rate
bands), and what left the warehouse (shipments, their lines and the carrier's
tracking events).

The rules that turn these rows into prices live in ``shipping/rates.py``;
the verbs in ``shipping/services.py``.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.taxes import TaxClass


class ShippingZone(models.Model):
    """Countries (optionally narrowed by postcode patterns) that share methods.

    A destination belongs to the first zone, by position, that covers it and
    has an active method; "rest of world" zones cover every country and are
    meant to come last.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    countries = models.TextField(
        _("countries"),
        blank=True,
        help_text=_("ISO country codes, separated by commas."),
    )
    rest_of_world = models.BooleanField(
        _("rest of world"),
        default=False,
        help_text=_("Covers every country (the list above is ignored); give it the highest position."),
    )
    postcode_patterns = models.TextField(
        _("postcode patterns"),
        blank=True,
        help_text=_(
            "Optional, one per line: an exact postcode, a pattern with * (e.g. 8*, SW1A*), or a "
            "range of leading digits (e.g. 10000-19999). Empty: the whole country."
        ),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Zones are tried from the lowest position up.")
    )

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name

    @property
    def country_codes(self) -> list[str]:
        return [code.strip().upper() for code in self.countries.replace("\n", ",").split(",") if code.strip()]

    @property
    def patterns(self) -> list[str]:
        return [line.strip() for line in self.postcode_patterns.splitlines() if line.strip()]


class ShippingMethod(models.Model):
    """A way of shipping to a zone and how its price is reckoned."""

    class Kind(models.TextChoices):
        FLAT = "flat", _("Flat rate")
        WEIGHT_BANDS = "weight_bands", _("By parcel weight (bands)")
        VALUE_BANDS = "value_bands", _("By order value (bands)")
        FREE_OVER = "free_over", _("Flat rate, free from a threshold")

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FLAT)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Flat rate, or the rate below the free-shipping threshold. Bands have their own."),
    )
    free_from = models.DecimalField(
        _("free from order value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Orders worth this much or more ship free (kind 'free from a threshold')."),
    )
    delivery_estimate = models.CharField(
        _("delivery estimate"), max_length=100, blank=True, help_text=_("For example: 2-4 business days.")
    )
    tax_class = models.CharField(
        _("tax class"), max_length=20, choices=TaxClass.choices, default=TaxClass.STANDARD
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ("zone__position", "zone_id", "position", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_method_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="free_over") | Q(free_from__isnull=False),
                name="shipping_method_free_over_has_threshold",
            ),
        )

    def __str__(self) -> str:
        return f"{self.zone.name}: {self.name}"

    def clean(self) -> None:
        if self.kind == self.Kind.FREE_OVER and self.free_from is None:
            raise ValidationError({"free_from": _("Give the order value from which shipping is free.")})


class RateBand(models.Model):
    """One step of a band method: the price for weights (grams) or order
    values from ``from_value`` (inclusive) up to ``below_value`` (exclusive;
    empty means no upper limit). A parcel at a band's upper edge belongs to
    the next band; outside every band the method is not offered."""

    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="bands")
    from_value = models.DecimalField(
        _("from (inclusive)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Grams for weight bands, the order value for value bands."),
    )
    below_value = models.DecimalField(
        _("below (exclusive)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no upper limit."),
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
        default=Decimal("0.00"),
    )

    class Meta:
        verbose_name = _("rate band")
        verbose_name_plural = _("rate bands")
        ordering = ("method_id", "from_value", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_rateband_price_not_negative"),
            models.CheckConstraint(
                condition=Q(below_value__isnull=True) | Q(below_value__gt=models.F("from_value")),
                name="shipping_rateband_bounds_ordered",
            ),
        )

    def __str__(self) -> str:
        upper = "∞" if self.below_value is None else f"{self.below_value}"
        return f"[{self.from_value}, {upper}): {self.price}"

    def clean(self) -> None:
        if self.below_value is not None and self.below_value <= self.from_value:
            raise ValidationError({"below_value": _("The upper bound must be above the lower bound.")})


class Shipment(models.Model):
    """One parcel sent for an order (an order may have several: partial shipments)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Label created")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Available for pickup")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned to sender")
        FAILED = "failed", _("Delivery failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINAL_STATUSES = (Status.DELIVERED, Status.RETURNED, Status.CANCELLED)

    reference = models.CharField(_("order reference"), max_length=64, db_index=True)
    carrier = models.CharField(_("carrier"), max_length=30)
    service = models.CharField(_("service"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True, db_index=True)
    tracking_url = models.URLField(_("tracking URL"), max_length=500, blank=True)
    label_url = models.URLField(_("label URL"), max_length=500, blank=True)
    carrier_reference = models.CharField(
        _("carrier's id"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The carrier's own id of the tracker or shipment."),
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.PENDING)
    destination = models.JSONField(_("destination"), default=dict, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=0)
    tracked_at = models.DateTimeField(_("tracking last updated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=("carrier", "status"), name="shipping_shipment_carrier_st"),)

    def __str__(self) -> str:
        return f"{self.reference} / {self.tracking_number or self.pk}"

    @property
    def shown_as(self) -> str:
        """The carrier and service as a shopper reads them; the shop's own rate
        table ("table") is no carrier's name, so only its service shows."""
        carrier = "" if self.carrier == "table" else self.carrier.upper()
        return " · ".join(part for part in (carrier, self.service) if part)

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class ShipmentLine(models.Model):
    """What a shipment holds: a copy of the SKU and title, so later catalog
    edits change nothing here."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_reference = models.PositiveBigIntegerField(
        _("order line"), null=True, blank=True, help_text=_("The id of the order line shipped.")
    )

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ("shipment_id", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipping_line_quantity_positive"),
        )

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class TrackingEvent(models.Model):
    """A scan or status change reported by the carrier. The same event told
    twice (webhook and poll, or a redelivery) is stored once: ``dedupe_key``
    is unique per shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=255, blank=True)
    description = models.CharField(_("what"), max_length=500, blank=True)
    # Blank when the carrier's event says nothing about where the parcel is.
    status = models.CharField(_("status"), max_length=30, choices=Shipment.Status.choices, blank=True)
    dedupe_key = models.CharField(max_length=64, editable=False)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ("shipment_id", "occurred_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("shipment", "dedupe_key"), name="shipping_event_once_per_shipment"
            ),
        )

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class CarrierWebhookEvent(models.Model):
    """The id of every verified webhook event received: a second delivery of
    the same id is a replay and is refused."""

    carrier = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("carrier webhook event")
        verbose_name_plural = _("carrier webhook events")
        constraints = (
            models.UniqueConstraint(fields=("carrier", "event_id"), name="shipping_webhook_event_once"),
        )

    def __str__(self) -> str:
        return f"{self.carrier} {self.event_id}"
