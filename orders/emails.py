"""Emails about an order, in HTML and plain text, each sent once.

The order row is the outbox: ``confirmation_sent_at`` stays empty until the
mail server took the message, so a paid order without it is one whose email
is still owed, and ``order_confirmations_resend`` (beat) queues it again if
the task was lost (a broker outage) or gave up.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders import locks
from orders.models import Order

StrOrPromise = str | Promise

# Left to the task's own retries this long before the sweep queues it again.
RESEND_AFTER = timedelta(minutes=30)
# Older than this, a confirmation is no news any more: staff see it in the admin.
RESEND_WITHIN = timedelta(days=3)


def order_confirmation_send(*, order_id: int) -> bool:
    """Send the confirmation of a paid order once; False when it was sent
    already (or the order is not paid). The order's row stays locked while
    sending, so two runs at once (a retry and the sweep) send one email; a
    failure to send changes nothing and raises for the task to retry."""
    with transaction.atomic():
        order = locks.order_lock(order_id=order_id)
        if order.confirmation_sent_at is not None or order.paid_at is None:
            return False
        site = Site.objects.get_current()
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "shop_name": settings.SHOP_NAME,
            "order_url": f"https://{site.domain}{order.get_absolute_url()}",
        }
        message = EmailMultiAlternatives(
            subject=_("[%(shop)s] Order %(number)s confirmed")
            % {"shop": settings.SHOP_NAME, "number": order.number},
            body=render_to_string("orders/email/confirmation.txt", context),
            to=[order.email],
        )
        message.attach_alternative(render_to_string("orders/email/confirmation.html", context), "text/html")
        message.send()
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at"])
    return True


def order_confirmations_resend(*, now: datetime | None = None) -> int:
    """Queue the confirmation of every recently paid order still owed one;
    returns how many were queued."""
    from orders.tasks import order_confirmation_send as order_confirmation_send_task  # tasks imports us

    now = now or timezone.now()
    owed = Order.objects.filter(
        confirmation_sent_at__isnull=True,
        paid_at__lt=now - RESEND_AFTER,
        paid_at__gte=now - RESEND_WITHIN,
    ).values_list("pk", flat=True)
    queued = 0
    for order_id in owed:
        order_confirmation_send_task.delay(order_id)
        queued += 1
    return queued


# --- Status emails ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatusEmail:
    """One kind of email about an order's status: its subject (with
    ``%(shop)s`` and ``%(number)s``), its templates (``<template>.txt`` and
    ``<template>.html``) and, optionally, what else its templates need."""

    subject: StrOrPromise
    template: str
    context: Callable[[Order], dict[str, Any]] | None = None


# The kinds of status email; other modules add theirs with ``status_email_register``
# (shipped, delivered, refunded, return approved/rejected/refunded).
STATUS_EMAILS: dict[str, StatusEmail] = {
    "cancelled": StatusEmail(
        subject=gettext_lazy("[%(shop)s] Order %(number)s cancelled"), template="orders/email/cancelled"
    ),
}


def status_email_register(kind: str, email: StatusEmail) -> None:
    STATUS_EMAILS[kind] = email


def order_status_email_send(*, order_id: int, kind: str, key: str = "") -> bool:
    """Send the ``kind`` email (a key of ``STATUS_EMAILS``) about an order, in
    text and HTML. A failure to send raises for the task to retry; once sent,
    a retry of the same task (the worker lost the acknowledgement) sends
    nothing twice for a day (a cache mark, so it is best effort). ``key``
    tells apart two emails of one kind in one status (two partial refunds:
    give each refund's id); by default the order's status does."""
    email = STATUS_EMAILS.get(kind)
    if email is None:
        raise ValueError(f"Unknown order email kind {kind!r}")
    order = Order.objects.get(pk=order_id)
    sent_key = f"orders:status-email:{order_id}:{kind}:{key or order.status}"
    if cache.get(sent_key):
        return False
    site = Site.objects.get_current()
    context: dict[str, Any] = {
        "order": order,
        "lines": list(order.lines.all()),
        "shop_name": settings.SHOP_NAME,
        "order_url": f"https://{site.domain}{order.get_absolute_url()}",
    }
    if email.context is not None:
        context.update(email.context(order))
    message = EmailMultiAlternatives(
        subject=str(email.subject) % {"shop": settings.SHOP_NAME, "number": order.number},
        body=render_to_string(f"{email.template}.txt", context),
        to=[order.email],
    )
    message.attach_alternative(render_to_string(f"{email.template}.html", context), "text/html")
    message.send()
    cache.set(sent_key, True, timeout=24 * 3600)
    return True
