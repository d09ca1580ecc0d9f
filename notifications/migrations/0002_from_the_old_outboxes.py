"""The three outboxes of before move onto notifications.

- ``shop.OutboundEmail`` (account emails, already rendered): every row, owed
  or sent, as it is.
- ``orders.OrderEmail`` (status emails) and ``Order.confirmation_sent_at``
  (the confirmation): sent ones as history (their envelope, and the in-site
  notice for a customer with an account); ones still owed within the resend
  window are rendered now, from the order as it is, and sent by the sweep.
- ``Variant.low_stock_alert_owed_at``: an alert still owed is rendered now
  for each active staff member.

Rendering uses the current templates and kinds (``notifications.rendering``,
which reads no model); the rows are read through the historical models.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.urls import reverse
from django.utils import timezone

RESEND_WITHIN = timedelta(days=3)


def _order_url(order):
    return reverse("orders:detail", kwargs={"number": order.number})


def _absolute(path):
    return f"{settings.SHOP_URL.rstrip('/')}{path}"


def forwards(apps, schema_editor):
    from notifications.kinds import KINDS
    from notifications.rendering import render

    Notification = apps.get_model("notifications", "Notification")
    OutboundEmail = apps.get_model("shop", "OutboundEmail")
    Order = apps.get_model("orders", "Order")
    OrderEmail = apps.get_model("orders", "OrderEmail")
    Shipment = apps.get_model("shipping", "Shipment")
    Variant = apps.get_model("catalog", "Variant")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    since = timezone.now() - RESEND_WITHIN
    created = []  # (notification, created_at)

    def add(notification, created_at):
        created.append((notification, created_at))

    for email in OutboundEmail.objects.order_by("pk").iterator():
        # The purpose was the template's last part: account.<it> or an app's
        # (account.mfa_<it>); one no kind of today has keeps its name (it is
        # rendered already, and sent as it is).
        candidates = [f"account.{app}{email.purpose}" for app in ("", "mfa_", "socialaccount_")]
        kind = next((name for name in candidates if name in KINDS), candidates[0])
        add(
            Notification(
                kind=kind,
                key=f"outbox:{email.pk}",
                email=email.recipient,
                subject=email.subject,
                text=email.body,
                html=email.html,
                sent_at=email.sent_at,
                attempts=email.attempts,
                last_error=email.last_error,
            ),
            email.created_at,
        )

    def order_notification(order, kind, key, sent_at, created_at):
        spec = KINDS[f"order.{kind}"]
        params = {"number": order.number}
        notification = Notification(
            kind=spec.name,
            key=f"{order.number}:{key}",
            email=order.email,
            user_id=order.user_id,
            sent_at=sent_at,
            link=_order_url(order),
        )
        if sent_at is not None:
            notification.subject = " ".join((str(spec.subject) % {"shop": settings.SHOP_NAME, **params}).split())
        elif created_at >= since:
            shipments = [
                {
                    # Shipment.shown_as, which the historical model lacks.
                    "shown_as": " · ".join(
                        part
                        for part in ("" if s.carrier == "table" else s.carrier.upper(), s.service)
                        if part
                    ),
                    "tracking_number": s.tracking_number,
                    "tracking_url": s.tracking_url,
                }
                for s in (Shipment.objects.filter(reference=order.number) if kind == "shipped" else [])
            ]
            context = {
                "order": order,
                "lines": list(order.lines.all()),
                "order_url": _absolute(_order_url(order)),
                "shipments": shipments,
            }
            rendered = render(spec, context, params)
            notification.subject, notification.text, notification.html = (
                rendered.subject,
                rendered.text,
                rendered.html,
            )
        else:
            return  # owed too long: no news any more, as the old sweep gave up
        if order.user_id and spec.site_title:
            notification.title = str(spec.site_title) % {"shop": settings.SHOP_NAME, **params}
        add(notification, created_at)

    for order in Order.objects.filter(paid_at__isnull=False).order_by("pk").iterator():
        order_notification(order, "confirmation", "paid", order.confirmation_sent_at, order.paid_at)
    for email in OrderEmail.objects.select_related("order").order_by("pk").iterator():
        order_notification(email.order, email.kind, email.key, email.sent_at, email.created_at)

    staff = list(User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("email"))
    for variant in Variant.objects.filter(low_stock_alert_owed_at__gte=since).select_related("product"):
        values = {
            "sku": variant.sku,
            "title": variant.product.title,
            "available": variant.stock_on_hand - variant.stock_reserved,
            "on_hand": variant.stock_on_hand,
            "reserved": variant.stock_reserved,
            "threshold": variant.low_stock_threshold,
            "url": _absolute(reverse("admin:catalog_variant_change", args=[variant.pk])),
        }
        rendered = render(KINDS["catalog.low_stock"], values, values)
        stamp = variant.low_stock_alert_owed_at.strftime("%Y%m%dT%H%M%S.%f")
        for person in staff:
            add(
                Notification(
                    kind="catalog.low_stock",
                    key=f"{variant.pk}:{stamp}:{person.pk}",
                    email=person.email,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                ),
                variant.low_stock_alert_owed_at,
            )

    # Migrated back and forward again: what is there already stays as it is.
    there = set(Notification.objects.values_list("kind", "key"))
    created = [(n, at) for n, at in created if (n.kind, n.key) not in there]
    rows = Notification.objects.bulk_create([notification for notification, _at in created], batch_size=500)
    for row, (_notification, created_at) in zip(rows, created, strict=True):
        row.created_at = created_at
    Notification.objects.bulk_update(rows, ["created_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("shop", "0001_outbound_email"),
        ("orders", "0003_order_emails"),
        ("catalog", "0006_variant_low_stock_alert_owed"),
        ("shipping", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
