"""Owing, sending and keeping notifications.

``notification_queue`` writes the message in the caller's transaction
(rendered there, so it says what was true when it happened) and queues its
email after commit; ``notification_send`` sends that email once, under the
row's lock, and raises a mail server's failure for the task to retry with
backoff; ``notifications_resend`` (beat) queues again what a lost broker or
exhausted retries left owed. A sent email keeps only its envelope (its
attachments are deleted too).
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery import shared_task
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import preferences
from notifications.kinds import KINDS
from notifications.live import notice_publish_after_commit
from notifications.models import Attachment, Notification
from notifications.rendering import render
from notifications.selectors import notifications_for
from shop.celery import EMAIL_RETRIES

logger = logging.getLogger(__name__)

# An email owed this long is left to its task's retries before the sweep
# queues it again; after RESEND_WITHIN it is no news any more (a 3-day
# verification link) and is not sent.
RESEND_AFTER = timedelta(minutes=30)
RESEND_WITHIN = timedelta(days=3)
# Notifications are kept this long (the notification centre's history).
KEEP = timedelta(days=90)


def notification_queue(
    *,
    kind: str,
    key: str,
    context: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    email: str = "",
    user: AbstractBaseUser | None = None,
    link: str = "",
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> Notification | None:
    """Owe the ``kind`` message of this occasion (``key``) to ``email``
    and, when the kind leaves one, an in-site notice to ``user`` pointing at
    ``link``; its email carries ``attachments`` (file name, content, MIME
    type). The same kind and key again owe nothing more: the notification
    already written is returned. Runs in the caller's transaction. None when
    the person's preferences leave nothing owed (``notifications.preferences``)."""
    spec = KINDS[kind]  # an unknown kind is a bug: KeyError
    key = key[:150]
    existing = Notification.objects.filter(kind=kind, key=key).first()
    if existing is not None:
        return existing
    # Preferences and consent: an optional message goes only where the person
    # wants it, and its email carries the one-click unsubscribe.
    addressed = bool(email) or user is not None
    email, user = preferences.recipients(group=spec.group, email=email, user=user)
    if addressed and not email and user is None:
        return None
    headers = preferences.unsubscribe_headers(group=spec.group, email=email)
    context = {**context, **preferences.unsubscribe_context(group=spec.group, email=email)}
    rendered = render(spec, context, params or {})
    try:
        with transaction.atomic():  # a savepoint: a twin written meanwhile wins
            notification = Notification.objects.create(
                kind=kind,
                key=key,
                user_id=user.pk if user is not None else None,
                email=email,
                subject=rendered.subject if email else "",
                text=rendered.text if email else "",
                html=rendered.html if email else "",
                headers=headers,
                title=rendered.title[:200] if user is not None else "",
                link=link[:500],
            )
            if email:
                Attachment.objects.bulk_create(
                    Attachment(notification=notification, filename=name, content=content, mimetype=mimetype)
                    for name, content, mimetype in attachments
                )
    except IntegrityError:
        return Notification.objects.get(kind=kind, key=key)
    if email:
        email_send_after_commit(notification.pk)
    if notification.title and notification.user_id is not None:
        notice_publish_after_commit(notification.user_id)
    return notification


def email_send_after_commit(notification_id: int) -> None:
    """Queue the email's sending once the caller's transaction commits.
    Robust: a broker that is down must not undo the change the message tells
    about; the sweep queues it later."""
    transaction.on_commit(partial(notification_send_task.delay, notification_id), robust=True)


def notification_send(*, notification_id: int) -> bool:
    """Send a notification's email once; False when it was sent already, has
    none, or is gone. A failure is counted, kept in ``last_error`` and raised
    for the task to retry; the email stays owed."""
    with transaction.atomic():
        owed = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if owed is None or not owed.email_owed:
            return False
        message = EmailMultiAlternatives(
            subject=owed.subject, body=owed.text, to=[owed.email], headers=owed.headers or None
        )
        if owed.html:
            message.attach_alternative(owed.html, "text/html")
        attachments = list(owed.attachments.all())
        for attachment in attachments:
            message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
        failure: Exception | None = None
        try:
            message.send()
        except Exception as error:  # whatever the backend raises: kept, then raised for the retry
            failure = error
        owed.attempts += 1
        if failure is None:
            owed.sent_at = timezone.now()
            owed.text = owed.html = owed.last_error = ""
            spec = KINDS.get(owed.kind)  # a row migrated from the old outbox may name no kind of today
            if spec is not None and spec.forget_address_when_sent:
                owed.email = ""
            if attachments:
                owed.attachments.all().delete()
        else:
            owed.last_error = f"{type(failure).__name__}: {failure}"[:500]
        owed.save(update_fields=["attempts", "sent_at", "text", "html", "last_error", "email"])
    if failure is not None:  # after the commit, so the attempt is counted
        raise failure
    return True


# After commit of whatever owed it; the row says whether it went out, so a
# retry after a success sends nothing twice. Defined beside its service (which
# queues it), and named in tasks.py for the workers.
@shared_task(name="notifications.notification_send", **EMAIL_RETRIES)
def notification_send_task(notification_id: int) -> bool:
    return notification_send(notification_id=notification_id)


def notice_read(*, user_id: int, notification_id: int) -> Notification:
    """Mark one of a person's notices read (once: the first reading is kept).
    Someone else's notice, or one without an in-site part, is
    ``Notification.DoesNotExist``."""
    notice = Notification.objects.exclude(title="").get(pk=notification_id, user_id=user_id)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_read_all(*, user_id: int) -> int:
    """Mark every unread notice of a person read; how many were."""
    return (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .exclude(title="")
        .update(read_at=timezone.now())
    )


def notifications_resend(*, now: datetime | None = None) -> int:
    """Queue every email owed for longer than ``RESEND_AFTER`` (within
    ``RESEND_WITHIN``) and delete notifications older than ``KEEP``. Returns
    how many were queued."""
    now = now or timezone.now()
    Notification.objects.filter(created_at__lt=now - KEEP).delete()
    owed = Notification.objects.filter(
        sent_at__isnull=True, created_at__lt=now - RESEND_AFTER, created_at__gte=now - RESEND_WITHIN
    ).exclude(email="")
    notification_ids = list(owed.values_list("pk", flat=True))
    for notification_id in notification_ids:
        notification_send_task.delay(notification_id)
    return len(notification_ids)


def notifications_erase(*, emails: Iterable[str], user: AbstractBaseUser | None = None) -> int:
    """Everything owed, kept or shown for these addresses and this user
    (account deletion: the user row stays, anonymised)."""
    deleted, _kinds = notifications_for(emails=emails, user=user).delete()
    return deleted
