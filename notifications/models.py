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


class Attachment(models.Model):
    """A file sent with a notification's email (a scheduled report's PDF),
    made when the message was owed, like its text. In a table of its own, so
    the notification centre never reads the bytes; deleted once the email
    went out, as the text is."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(_("type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.filename


class Announcement(models.Model):
    """A message staff write once and send to many: a promotion, a new
    collection. Each person of its audience gets it once (a notification of
    kind ``marketing.announcement``, so only those who opted in to marketing
    get it, by email or in the site as each chose), sent in batches by
    Celery, its progress counted here."""

    class Audience(models.TextChoices):
        CUSTOMERS = "customers", _("All customers who opted in")
        CATEGORY_BUYERS = "category_buyers", _("Customers who bought from a category")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")

    title = models.CharField(_("title"), max_length=150)
    message = models.TextField(
        _("message"), max_length=5000, help_text=_("Plain text; blank lines part paragraphs.")
    )
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("A page of the shop, e.g. /categories/summer/")
    )
    audience = models.CharField(
        _("audience"), max_length=30, choices=Audience.choices, default=Audience.CUSTOMERS
    )
    # The category of CATEGORY_BUYERS (and its subcategories), by id: the
    # catalog sits above this app. Its name is kept for the admin's lists.
    category_id = models.PositiveIntegerField(_("category"), null=True, blank=True)
    category_name = models.CharField(_("category name"), max_length=120, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.PositiveIntegerField(_("audience size"), default=0, editable=False)
    done = models.PositiveIntegerField(_("processed"), default=0, editable=False)
    # The last person processed (by primary key): the next batch starts after.
    done_up_to = models.PositiveBigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SITE = "site", _("In the site")


class Preference(models.Model):
    """A person's choice for one group of messages (``notifications.kinds.Group``)
    on one channel; without a row, the group's default holds
    (``notifications.preferences``). Consent to email is an address's (double
    opt-in confirms an address, an unsubscribe link speaks for one, a guest
    has nothing else), so email rows are keyed by ``email``; in-site notices
    are a user's, so site rows are keyed by ``user``."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    group = models.CharField(_("group"), max_length=20)  # a notifications.kinds.Group that may be chosen
    email = models.EmailField(_("email"), blank=True)  # lower case; email rows only
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    enabled = models.BooleanField(_("enabled"))
    # When the double opt-in's link was followed (marketing by email).
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    source = models.CharField(_("changed by"), max_length=30, blank=True)  # e.g. "page", "unsubscribe link"

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ("email", "user", "group", "channel")
        constraints = (
            models.UniqueConstraint(
                fields=("email", "group"),
                condition=models.Q(channel="email"),
                name="notifications_preference_one_per_address",
            ),
            models.UniqueConstraint(
                fields=("user", "group"),
                condition=models.Q(channel="site"),
                name="notifications_preference_one_per_user",
            ),
            models.CheckConstraint(
                condition=(models.Q(channel="email") & ~models.Q(email="") & models.Q(user__isnull=True))
                | (models.Q(channel="site") & models.Q(email="") & models.Q(user__isnull=False)),
                name="notifications_preference_keyed_by_its_channel",
            ),
        )

    def __str__(self) -> str:
        return f"{self.email or self.user_id} {self.group} {self.channel}: {'on' if self.enabled else 'off'}"


class Suppression(models.Model):
    """An address that bounced hard or complained (heard by the email
    provider's tracking webhook): no marketing or wishlist email goes to it
    any more; account and order emails still do."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")
        REJECTED = "rejected", _("Rejected by the provider")

    email = models.EmailField(_("email"), unique=True)  # lower case
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)  # the provider's words
    provider = models.CharField(_("provider"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("suppressed"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
