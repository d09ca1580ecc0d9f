"""Emails about an order, in HTML and plain text."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order


def order_confirmation_send(*, order_id: int) -> bool:
    """Send the confirmation once; False when it was sent already."""
    order = Order.objects.prefetch_related("lines").get(pk=order_id)
    if order.confirmation_sent_at is not None:
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
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())
    return True
