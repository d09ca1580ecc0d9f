"""The one outbox: every message owed to a person, by email and in the site.

A ``Notification`` is written in the transaction of the change it tells
about, rendered there (its kind's templates, ``notifications.kinds``), and
unique per occasion (``kind`` and ``key``): an event heard twice or a retry
owes nothing more. Its email part is sent after commit by a task on the
``email`` queue and swept by beat when the broker was down; once sent, only
the envelope is kept (the text may hold one-time links). Its in-site part
(``title``, ``link``) is what the person sees in the notification centre.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    kind = models.CharField(_("kind"), max_length=60)  # a key of notifications.kinds.KINDS
    key = models.CharField(_("occasion"), max_length=150)  # e.g. the order number and shipment
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("user"),
    )
    # The email part: empty ``email`` when the notice is in-site only.
    email = models.EmailField(_("email"), blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # The in-site part: shown to ``user`` when ``title`` is set.
    title = models.CharField(_("title"), max_length=200, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("kind", "key"), name="notifications_once_per_occasion"),
        )
        indexes = (
            models.Index(
                fields=("created_at",),
                name="notifications_email_owed",
                condition=models.Q(sent_at__isnull=True) & ~models.Q(email=""),
            ),
            models.Index(fields=("user", "-created_at"), name="notifications_user_recent"),
            # The header's unread count on every signed-in page reads only this.
            models.Index(
                fields=("user",),
                name="notifications_user_unread",
                condition=models.Q(read_at__isnull=True) & ~models.Q(title=""),
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    @property
    def email_owed(self) -> bool:
        return bool(self.email) and self.sent_at is None
