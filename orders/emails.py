"""Emails about an order, in HTML and plain text, each sent once.

The order row is the outbox: ``confirmation_sent_at`` stays empty until the
mail server took the message, so a paid order without it is one whose email
is still owed, and ``order_confirmations_resend`` (beat) queues it again if
the task was lost (a broker outage) or gave up.
"""

from datetime import datetime
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from orders import locks
from orders.email_kinds import STATUS_EMAILS
from orders.models import Order, OrderEmail
from shop.celery import EMAIL_RETRIES
from shop.outbox import owed_for_resending
from shop.sites import shop_url

StrOrPromise = str | Promise


CONFIRMATION_SUBJECT = gettext_lazy("[%(shop)s] Order %(number)s confirmed")


def order_confirmation_send(*, order_id: int) -> bool:
    """Send the confirmation of a paid order once; False when it was sent
    already (or the order is not paid). The order's row stays locked while
    sending, so two runs at once (a retry and the sweep) send one email; a
    failure to send changes nothing and raises for the task to retry."""
    with transaction.atomic():
        order = locks.order_lock(order_id=order_id)
        if order.confirmation_sent_at is not None or order.paid_at is None:
            return False
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "shop_name": settings.SHOP_NAME,
            "order_url": shop_url(order.get_absolute_url()),
        }
        message = EmailMultiAlternatives(
            subject=str(CONFIRMATION_SUBJECT) % {"shop": settings.SHOP_NAME, "number": order.number},
            body=render_to_string("orders/email/confirmation.txt", context),
            to=[order.email],
        )
        message.attach_alternative(render_to_string("orders/email/confirmation.html", context), "text/html")
        message.send()
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at"])
    return True


# After commit of the payment; a retry after a success sends nothing twice
# (``confirmation_sent_at``). Defined beside its service, not in tasks.py, so
# that the services queueing it need not import the module that imports them.
@shared_task(name="orders.order_confirmation_send", **EMAIL_RETRIES)
def order_confirmation_send_task(order_id: int) -> bool:
    return order_confirmation_send(order_id=order_id)


def order_confirmations_resend(*, now: datetime | None = None) -> int:
    """Queue the confirmation of every recently paid order still owed one;
    returns how many were queued."""
    owed = Order.objects.filter(confirmation_sent_at__isnull=True, **owed_for_resending("paid_at", now=now))
    order_ids = list(owed.values_list("pk", flat=True))
    for order_id in order_ids:
        order_confirmation_send_task.delay(order_id)
    return len(order_ids)


# --- Status emails ---------------------------------------------------------------------


def order_email_queue(*, order: Order, kind: str, key: str) -> OrderEmail:
    """Owe the ``kind`` email (a key of ``STATUS_EMAILS``) about ``order``, in
    the caller's transaction, and queue its sending after commit. ``key``
    names this occasion (a shipment, a refund, a return): the same occasion
    queued again owes nothing more."""
    if kind not in STATUS_EMAILS:
        raise ValueError(f"Unknown order email kind {kind!r}")
    email, created = OrderEmail.objects.get_or_create(order=order, kind=kind, key=key)
    if created:
        # Robust: a broker that is down must not undo the change the email tells
        # about; the sweep (``order_emails_resend``) queues it again.
        transaction.on_commit(partial(order_email_send_task.delay, email.pk), robust=True)
    return email


def order_email_send(*, email_id: int) -> bool:
    """Send an owed status email, in text and HTML; False when it was sent
    already. The email's row stays locked while sending, so a retry and the
    sweep at once send it once; a failure to send raises for the task to
    retry and leaves it owed."""
    with transaction.atomic():
        owed = OrderEmail.objects.select_for_update().select_related("order").get(pk=email_id)
        if owed.sent_at is not None:
            return False
        email = STATUS_EMAILS[owed.kind]
        order = owed.order
        context: dict[str, Any] = {
            "order": order,
            "lines": list(order.lines.all()),
            "shop_name": settings.SHOP_NAME,
            "order_url": shop_url(order.get_absolute_url()),
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
        owed.sent_at = timezone.now()
        owed.save(update_fields=["sent_at"])
    return True


# After commit of a status move (cancelled, shipped, ...): retried like the
# confirmation; the row it sends (``OrderEmail``) says whether it went out.
@shared_task(name="orders.order_email_send", **EMAIL_RETRIES)
def order_email_send_task(email_id: int) -> bool:
    return order_email_send(email_id=email_id)


def order_emails_resend(*, now: datetime | None = None) -> int:
    """Queue every recent status email still owed; returns how many were queued."""
    owed = OrderEmail.objects.filter(sent_at__isnull=True, **owed_for_resending("created_at", now=now))
    email_ids = list(owed.values_list("pk", flat=True))
    for email_id in email_ids:
        order_email_send_task.delay(email_id)
    return len(email_ids)
