"""Orders delivered before reviews existed verify their customers' reviews
too: a purchase record for each product of each delivered order of an account."""

from django.db import migrations


def purchases_backfill(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    Purchase = apps.get_model("reviews", "Purchase")
    delivered = Order.objects.filter(user__isnull=False, delivered_at__isnull=False)
    seen = set()
    rows = []
    lines = (
        OrderLine.objects.filter(order__in=delivered, variant__isnull=False)
        .values_list("order__user_id", "variant__product_id", "variant_id", "order__number", "order__delivered_at")
        .order_by("pk")
    )
    for user_id, product_id, variant_id, number, delivered_at in lines.iterator(chunk_size=2000):
        if (user_id, product_id, number) in seen:
            continue
        seen.add((user_id, product_id, number))
        rows.append(
            Purchase(user_id=user_id, product_id=product_id, variant_id=variant_id, reference=number, delivered_at=delivered_at)
        )
    Purchase.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_emails_moved_to_notifications"),
        ("reviews", "0001_initial"),
    ]

    operations = [migrations.RunPython(purchases_backfill, migrations.RunPython.noop)]
