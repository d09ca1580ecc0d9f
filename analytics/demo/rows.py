"""Plain rows into tables for the demo history: COPY on PostgreSQL (psycopg 3's
``cursor.copy()``), ``executemany`` elsewhere, with primary keys taken from the
table's sequence up front so that children point at their parents without a
round trip per row.

Values are written as the database reads them, never as model instances:
money as text with two decimals (``cents_text``), times as text in UTC
(``Clock``), JSON as text. A row is a tuple; nothing else is made per row.
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def ids_allocate(model: type[Model], count: int) -> list[int]:
    """Primary keys for ``count`` rows of ``model`` about to be inserted."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name first: asked inside the SELECT, it would be
            # looked up once per id, eight times slower.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the caller's transaction holds the write lock, so max(id) is ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column.")
    return connection.ops.quote_name(field.column)


def rows_insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``); how many."""
    if not rows:
        return 0
    columns = ", ".join(_column(model, name) for name in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY skips the per-statement work of INSERT; psycopg formats
            # each tuple in C, which keeps 20 million events within minutes.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    return len(rows)


def cents_text(cents: int) -> str:
    """An amount in cents as the decimal column reads it.

    >>> cents_text(1234), cents_text(5), cents_text(0), cents_text(-250)
    ('12.34', '0.05', '0.00', '-2.50')
    """
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def json_text(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "))


class Clock:
    """Times as whole seconds since ``start`` (UTC midnight) while the history
    is drawn, turned into the database's text only when a row is made: a
    table of the days' dates and one of the day's 86,400 clock readings make
    that two lookups instead of a ``datetime`` per event.

    >>> clock = Clock(start=date(2024, 3, 30), days=3, suffix="+00")
    >>> clock.text(86400 + 3600 + 61)
    '2024-03-31 01:01:01+00'
    >>> clock.second_of(datetime(2024, 3, 31, 1, 1, 1, tzinfo=UTC))
    90061
    """

    def __init__(self, *, start: date, days: int, suffix: str) -> None:
        self.start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self._days = [f"{start + timedelta(days=n)} " for n in range(days)]
        self._readings = [
            f"{h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)
        ]

    def text(self, second: int) -> str:
        return self._days[second // 86400] + self._readings[second % 86400]

    def second_of(self, moment: datetime) -> int:
        return int((moment - self.start).total_seconds())
