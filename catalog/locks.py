"""Row locks of the catalog: the one place that takes ``SELECT ... FOR
UPDATE`` on catalog rows.

Locks are always taken in primary-key order, whatever order the caller lists
the rows in, so two transactions that lock the same variants (a checkout of
[A, B] and one of [B, A]) queue behind each other instead of deadlocking.
On SQLite ``select_for_update`` is a no-op; SQLite serialises writers anyway.
"""

from collections.abc import Iterable

from catalog.models import Product, Variant


def variants_lock(*, variant_ids: Iterable[int]) -> dict[int, Variant]:
    """Lock these variants until the end of the current transaction and return
    them by id, as they are now. Must run inside ``transaction.atomic``."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    # ORDER BY pk under FOR UPDATE: PostgreSQL locks the rows as the sorted
    # scan returns them, so the lock order is the primary-key order.
    rows = Variant.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {variant.pk: variant for variant in rows}


def products_lock(*, product_ids: Iterable[int]) -> None:
    """Lock these products until the end of the current transaction, in
    primary-key order. Stock changes take them after their variants, before
    updating the products' listing columns and sales counts, so that two
    checkouts of different variants of the same products cannot deadlock on
    the order a multi-row UPDATE happens to visit them in."""
    ids = sorted(set(product_ids))
    if ids:
        list(
            Product.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
        )
