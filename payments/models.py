"""Payments, their refunds and the gateways' webhook events.

A payment refers to its order by the order's public number
(``order_reference``), never by a foreign key: payments sits below orders and
does not import it. Amount, currency and email are copied onto the payment.

The money invariants are database facts: the captured amount never exceeds the
amount, the refunded amount never exceeds the captured amount, a refund's
idempotency key is unique, and an order has at most one payment that is not
cancelled (so a double click on "Pay" cannot start two).
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.money import ZERO


class Payment(models.Model):
    class Status(models.TextChoices):
        # Attempt states: the shopper is still paying; the next attempt may
        # move the payment anywhere.
        PENDING = "pending", _("Pending")
        REQUIRES_ACTION = "requires_action", _("Requires action")
        FAILED = "failed", _("Failed")
        # Settled states: the gateway confirmed; never moved back to an attempt.
        AUTHORIZED = "authorized", _("Authorized")
        CAPTURED = "captured", _("Captured")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    order_reference = models.CharField(_("order reference"), max_length=64, db_index=True)
    gateway = models.CharField(_("gateway"), max_length=20)
    gateway_reference = models.CharField(
        _("gateway reference"),
        max_length=255,
        blank=True,
        help_text=_("The gateway's id of this payment (a Stripe PaymentIntent id)."),
    )
    # Which payment of its order this is (1 for the first); part of the key
    # that makes the gateway create one payment however often it is asked.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    captured_amount = models.DecimalField(_("captured"), max_digits=12, decimal_places=2, default=ZERO)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=ZERO)
    # For display only ("Visa ending 4242"); the card number never reaches us.
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last 4"), max_length=4, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    # When the newest webhook event applied to this payment was created at the
    # gateway, so an older one arriving late cannot undo it.
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: the gateway's client secret for the page that collects the
    # card (Stripe's Payment Element). Stripe asks that it not be stored.
    client_secret = ""

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0, captured_amount__lte=F("amount")),
                name="payments_payment_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("captured_amount")),
                name="payments_payment_refunded_within_captured",
            ),
            models.UniqueConstraint(
                fields=("order_reference",),
                condition=~Q(status="cancelled"),
                name="payments_payment_one_live_per_order",
            ),
            models.UniqueConstraint(
                fields=("gateway", "gateway_reference"),
                condition=~Q(gateway_reference=""),
                name="payments_payment_unique_gateway_reference",
            ),
        )

    def __str__(self) -> str:
        return f"{self.order_reference} {self.amount} {self.currency} ({self.status})"

    @property
    def is_paid(self) -> bool:
        """The gateway confirmed the money: authorised, captured or (later) refunded."""
        return self.status in SETTLED_PAID

    @property
    def refundable_amount(self) -> Decimal:
        return self.captured_amount - self.refunded_amount


Status = Payment.Status
ATTEMPT_STATES = frozenset({Status.PENDING, Status.REQUIRES_ACTION, Status.FAILED})
SETTLED_PAID = frozenset({Status.AUTHORIZED, Status.CAPTURED, Status.PARTIALLY_REFUNDED, Status.REFUNDED})


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    gateway_reference = models.CharField(_("gateway reference"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Given by the caller (a return's id, a form's token): the same key twice is
    # one refund, which makes a double click harmless.
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive"),
        )

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} ({self.status})"


class WebhookEvent(models.Model):
    """An event a gateway sent us, recorded once whatever the number of
    deliveries (the gateway's event id is unique per gateway)."""

    gateway = models.CharField(_("gateway"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    # Not a column: False when webhook_event_receive found the event already
    # recorded (a repeated delivery), so the caller does nothing twice.
    created = True

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ("-received_at", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("gateway", "event_id"), name="payments_webhook_event_unique_id"),
        )

    def __str__(self) -> str:
        return f"{self.gateway} {self.type} {self.event_id}"
