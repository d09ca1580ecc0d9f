"""Questions about notifications."""

from collections.abc import Collection, Iterable
from datetime import datetime
from functools import reduce
from operator import or_

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

from notifications.models import Notification


def notifications_for(
    *, emails: Iterable[str], user: AbstractBaseUser | None = None
) -> QuerySet[Notification]:
    """What was owed or sent to any of ``emails`` or shown to ``user``, oldest
    first (for "Download my data" and account deletion); sent emails hold
    only their envelope."""
    to_any = reduce(or_, (Q(email__iexact=email) for email in emails), Q(pk__in=[]))
    if user is not None and user.pk:
        to_any |= Q(user_id=user.pk)
    return Notification.objects.filter(to_any).order_by("created_at", "pk")


def notifications_about(*, kind_prefix: str, key_prefix: str) -> QuerySet[Notification]:
    """The messages of the kinds starting with ``kind_prefix`` about one
    subject (``order.`` and an order's number), oldest first."""
    return Notification.objects.filter(kind__startswith=kind_prefix, key__startswith=key_prefix).order_by(
        "created_at", "pk"
    )


def notices_of(*, user_id: int) -> QuerySet[Notification]:
    """A person's in-site notices (those with a title), newest first."""
    return Notification.objects.filter(user_id=user_id).exclude(title="").order_by("-created_at", "-pk")


def notices_unread_count(*, user_id: int) -> int:
    """How many of a person's notices are unread: one COUNT on the partial
    index ``notifications_user_unread``."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).exclude(title="").count()


def notices_new(
    *, user_id: int, after_id: int | None, since: datetime | None, sent: Collection[int] = (), limit: int = 50
) -> list[Notification]:
    """A person's notices that a page which knows those up to ``after_id`` (or
    was rendered at ``since``) has not been sent yet, oldest first. ``sent``
    also keeps out those already sent on this connection, so a notice whose
    transaction committed after a later one's is still sent, once."""
    notices = Notification.objects.filter(user_id=user_id).exclude(title="")
    if after_id is not None:
        notices = notices.filter(pk__gt=after_id)
    elif since is not None:
        notices = notices.filter(created_at__gt=since)
    if sent:
        notices = notices.exclude(pk__in=sent)
    return list(notices.order_by("pk")[:limit])
