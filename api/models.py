"""Personal access tokens for scripts and apps (api/tokens.py makes and
checks them), and the idempotency keys of placing and paying
(api/idempotency.py). The token itself is shown once, when made; the shop keeps
only its SHA-256 (a random 256-bit secret needs no slow hash: nothing can
guess it, and the hash makes a stolen database useless) and its first
characters, so people can tell their tokens apart."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(
        _("name"), max_length=80, help_text=_("What it is for, e.g. “Stock sync script”.")
    )
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    # The owner's password as it was when the token was made (Django's session
    # auth hash): a new password, set anywhere, ends the token.
    password_stamp = models.CharField(max_length=128, editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=("user", "revoked_at"), name="api_token_user_live"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="api_accesstoken_expires_after_created",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a client sent with a call that places an order
    or moves money (api/idempotency.py). The first request with a key runs
    (``status`` is empty meanwhile) and its answer is kept; the same key
    again gets that answer back instead of a second order or payment.
    A key belongs to a person, or to a guest's cart, and lives 24 hours."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cart = models.ForeignKey("cart.Cart", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255)
    # An HMAC of method, path and body (the body of a payment holds a card).
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None while the first request runs
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "key"), condition=Q(user__isnull=False), name="api_idempotency_user_key"
            ),
            models.UniqueConstraint(
                fields=("cart", "key"), condition=Q(user__isnull=True), name="api_idempotency_cart_key"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, cart__isnull=True) | Q(user__isnull=True, cart__isnull=False),
                name="api_idempotency_one_owner",
            ),
        )

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
