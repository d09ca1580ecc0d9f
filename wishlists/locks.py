"""Row locks of wishlists: the one place that takes ``SELECT ... FOR UPDATE``
on wishlists' rows.

A variant's ``StockWatch`` is the lock of its back-in-stock alerts: the alert
job holds it while it compares the stock with what it saw last and picks the
alerts to send, and a subscription holds it while it sets the baseline, so two
runs of the job (or a run and a subscription) never hand out the same units
twice. Locks are taken in primary-key order (a watch's key is its variant's),
so two transactions locking several watches queue instead of deadlocking. On
SQLite ``select_for_update`` is a no-op; SQLite serialises writers anyway.
"""

from collections.abc import Iterable

from wishlists.models import StockWatch


def stock_watches_lock(*, variant_ids: Iterable[int]) -> dict[int, StockWatch]:
    """Lock the watches of these variants until the end of the current
    transaction (creating a missing one with nothing seen: ``available_seen``
    0) and return them by variant id, as they are now. Must run inside
    ``transaction.atomic``."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    # ON CONFLICT DO NOTHING: a watch created meanwhile by another
    # transaction is waited for, then kept as it is.
    StockWatch.objects.bulk_create(
        [StockWatch(variant_id=pk, available_seen=0) for pk in ids], ignore_conflicts=True
    )
    rows = StockWatch.objects.select_for_update().filter(variant_id__in=ids).order_by("variant_id")
    return {watch.variant_id: watch for watch in rows}
