"""Emails about an order, in HTML and plain text, each sent once.

The order row is the outbox: ``confirmation_sent_at`` stays empty until the
mail server took the message, so a paid order without it is one whose email
is still owed, and ``order_confirmations_resend`` (beat) queues it again if
the task was lost (a broker outage) or gave up.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import locks
from orders.models import Order

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
