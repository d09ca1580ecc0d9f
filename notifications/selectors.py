"""Questions about notifications."""

from collections.abc import Iterable
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
