"""Row locks of promotions: the one place that takes ``SELECT ... FOR
UPDATE`` on promo codes, always in primary-key order. A redemption locks its
code's row, so concurrent checkouts with one code queue behind each other and
each sees the uses the previous ones recorded. On SQLite ``select_for_update``
is a no-op; SQLite serialises writers anyway."""

import hashlib
from collections.abc import Iterable

from django.db import connection
from django.db.models.functions import Upper

from promotions.models import PromoCode


def promo_code_lock(*, code: str) -> PromoCode | None:
    """Lock the code (given normalised, upper-case) until the end of the
    current transaction and return it as it is now, or None when unknown.
    Must run inside ``transaction.atomic``."""
    return (
        PromoCode.objects.select_for_update().alias(code_upper=Upper("code")).filter(code_upper=code).first()
    )


def promo_codes_lock(*, code_ids: Iterable[int]) -> dict[int, PromoCode]:
    """Lock these codes in primary-key order and return them by id."""
    ids = sorted(set(code_ids))
    if not ids:
        return {}
    return {code.pk: code for code in PromoCode.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def advisory_xact_lock(name: str) -> None:
    """Hold the lock ``name`` until the current transaction ends: one job of
    that name at a time (a periodic task and an admin save of the same
    rewrite, say). On PostgreSQL an advisory lock; SQLite lets one writer in
    at a time anyway. Call it inside ``transaction.atomic``."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_xact_lock needs a transaction")
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
