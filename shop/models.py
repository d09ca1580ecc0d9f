"""The shop-wide outbox of email: what the apps below orders send (account
verification, password reset, security notices, staff alerts) is written
here first, then sent by Celery, so a mail server that is down loses nothing
and never turns a page into an error."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One message to send. Its content may hold one-time links (a password
    reset), so once sent only who, what and when are kept."""

    purpose = models.CharField(
        _("purpose"), max_length=100
    )  # "email_confirmation", "password_reset_key", ...
    recipient = models.EmailField(_("recipient"), db_index=True)  # the first of ``to``, for erasure
    to = models.JSONField(_("to"), default=list)
    from_email = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.purpose} to {self.recipient}"
