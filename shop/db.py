"""Database helpers shared by the apps."""

import hashlib

from django.db import connection


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
