"""A run of the demo history: the catalog snapshot, the days and their
orders, then batches of about ``BATCH_ORDERS`` orders drawn and written in
one transaction each (so memory stays flat and a stopped run keeps whole
days), and fresh planner statistics at the end."""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from queue import Full, Queue
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from analytics.demo.calendar import orders_per_day
from analytics.demo.history import (
    CUSTOMER_EMAIL_PREFIX,
    EMAIL_DOMAIN,
    EVENT_FIELDS,
    LINE_FIELDS,
    ORDER_FIELDS,
    ORDER_NUMBER_PREFIX,
    PAYMENT_FIELDS,
    REFUND_FIELDS,
    RETURN_FIELDS,
    RETURN_LINE_FIELDS,
    USER_FIELDS,
    VISITOR_PREFIX,
    HistoryDraw,
    IdSource,
    Rows,
    Settings,
)
from analytics.demo.rows import Clock, ids_allocate, rows_insert
from analytics.demo.shelf import shelf_load
from analytics.demo.vocabulary import CODES
from analytics.models import Event
from orders.models import Order, OrderLine, Return, ReturnLine
from payments.models import Payment, Refund
from promotions.models import PromoCode

BATCH_ORDERS = 5000
ID_BLOCK = 5000

type Progress = Callable[[int, int], None]


class NoCatalog(Exception):
    """There is nothing to sell: no active variant of an active product."""


@dataclass
class DemoHistoryResult:
    orders_created: int = 0
    lines_created: int = 0
    customers_created: int = 0
    payments_created: int = 0
    refunds_created: int = 0
    returns_created: int = 0
    events_created: int = 0
    orders_deleted: int = 0
    events_deleted: int = 0
    first_day: str = ""
    last_day: str = ""
    seconds: float = 0.0


def analytics_history_seed(
    *,
    orders: int,
    days: int = 730,
    seed: int = 1,
    events_per_order: int = 20,
    reset: bool = False,
    progress: Progress | None = None,
) -> DemoHistoryResult:
    """Add ``orders`` demo orders spread over the ``days`` up to today, with
    their customers, payments, refunds, returns and about ``events_per_order``
    events per order. ``reset`` first deletes the demo history of earlier runs
    (``demo_history_delete``); without it the new history adds to theirs.
    Raises ``NoCatalog`` when the catalog has nothing to sell."""
    if orders < 0 or days < 1 or events_per_order < 0:
        raise ValueError("orders and events per order cannot be negative, and days must be at least 1.")
    started = time.monotonic()
    result = DemoHistoryResult()
    if reset:
        result.orders_deleted, result.events_deleted = demo_history_delete()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    shelf = shelf_load(rng=rng)
    if shelf is None:
        raise NoCatalog("The catalog has no active variant to sell.")

    # Days are the shop's local days; times are kept in UTC seconds (Clock).
    zone = ZoneInfo(settings.TIME_ZONE)
    now_moment = timezone.now()
    today = timezone.localdate(now_moment)
    first = today - timedelta(days=days - 1)
    clock = Clock(
        start=first - timedelta(days=2),
        days=days + 4,
        suffix="+00" if connection.vendor == "postgresql" else "",
    )
    now = clock.second_of(now_moment)
    counts = orders_per_day(orders=orders, first=first, days=days)
    result.first_day, result.last_day = str(first), str(today)

    existing = _demo_customers()
    draw = HistoryDraw(
        rng=rng,
        shelf=shelf,
        clock=clock,
        now=now,
        ids={
            "user": _id_source(User),
            "order": _id_source(Order),
            "line": _id_source(OrderLine),
            "payment": _id_source(Payment),
            "return": _id_source(Return),
        },
        settings=Settings(
            currency=settings.SHOP_CURRENCY,
            prices_include_tax=settings.PRICES_INCLUDE_TAX,
            events_per_order=events_per_order,
            codes_source=_code_sources(),
        ),
        customers=existing,
        next_customer=max((index for _id, index in existing), default=0) + 1,
        next_order=_next_order_number(),
    )
    writer = _BatchWriter(result)
    done = 0
    pending = 0
    # The last day ends now, less a margin so that nothing drawn lies ahead.
    today_until = now - 600
    for n, count in enumerate(counts):
        day = first + timedelta(days=n)
        start = clock.second_of(datetime(day.year, day.month, day.day, tzinfo=zone))
        draw.day(day=day, start=start, orders=count, today_until=today_until if day == today else None)
        pending += count
        if pending >= BATCH_ORDERS or n == days - 1:
            writer.put(draw.rows)
            draw.rows = Rows()
            done += pending
            pending = 0
            if progress is not None:
                progress(done, orders)
    writer.close()
    result.customers_created = draw.customers_made
    if connection.vendor == "postgresql" and result.orders_created:
        # Fresh planner statistics for the reports' first queries.
        with connection.cursor() as cursor:
            for model in (Order, OrderLine, Payment, Refund, Return, ReturnLine, Event, User):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


class _BatchWriter:
    """Writes each batch in its own transaction. On PostgreSQL, unless the
    caller holds a transaction (the tests do), on a second connection in a
    thread, so that the database takes in one batch while the next is drawn
    and both cores work; elsewhere in turn, on the caller's connection."""

    def __init__(self, result: DemoHistoryResult) -> None:
        self.result = result
        self.background = connection.vendor == "postgresql" and not connection.in_atomic_block
        # One batch waiting at most: memory stays at two batches.
        self.queue: Queue[Rows | None] = Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="analytics-demo-writer", daemon=True)
        if self.background:
            self.thread.start()

    def put(self, rows: Rows | None) -> None:
        if not self.background:
            if rows is not None:
                _rows_write(rows, self.result)
            return
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put(rows, timeout=1)
                return
            except Full:
                continue

    def close(self) -> None:
        """Wait until every batch is written; raise what stopped the writer."""
        if self.background:
            self.put(None)
            self.thread.join()
            if self.error is not None:
                raise self.error

    def _run(self) -> None:
        try:
            while (rows := self.queue.get()) is not None:
                _rows_write(rows, self.result)
        except BaseException as exc:  # handed to the drawing thread, which raises it
            self.error = exc
        finally:
            connection.close()  # this thread's own connection


def _rows_write(rows: Rows, result: DemoHistoryResult) -> None:
    """One batch, in one transaction, parents before children."""
    # In time order: the events' time indexes then grow at their right end
    # (PostgreSQL's fast path for appends) instead of all over, and reports
    # over a period read neighbouring pages.
    rows.events.sort(key=itemgetter(1))
    with transaction.atomic():
        rows_insert(User, USER_FIELDS, rows.users)
        result.orders_created += rows_insert(Order, ORDER_FIELDS, rows.orders)
        result.lines_created += rows_insert(OrderLine, LINE_FIELDS, rows.lines)
        result.payments_created += rows_insert(Payment, PAYMENT_FIELDS, rows.payments)
        result.refunds_created += rows_insert(Refund, REFUND_FIELDS, rows.refunds)
        result.returns_created += rows_insert(Return, RETURN_FIELDS, rows.returns)
        rows_insert(ReturnLine, RETURN_LINE_FIELDS, rows.return_lines)
        result.events_created += rows_insert(Event, EVENT_FIELDS, rows.events)


def _id_source(model: type[User | Order | OrderLine | Payment | Return]) -> IdSource:
    if connection.vendor == "postgresql":
        return IdSource(lambda: ids_allocate(model, ID_BLOCK))
    # SQLite has no sequence to reserve from: count on from today's largest id
    # (the demo is the only writer while it runs, as with the catalog demo).
    following = [ids_allocate(model, 1)[0]]

    def block() -> list[int]:
        first = following[0]
        following[0] += ID_BLOCK
        return list(range(first, first + ID_BLOCK))

    return IdSource(block)


def _demo_customers() -> list[tuple[int, int]]:
    """The demo customers already there: (user id, index in their email)."""
    rows = User.objects.filter(
        email__startswith=CUSTOMER_EMAIL_PREFIX, email__endswith=EMAIL_DOMAIN
    ).values_list("pk", "email")
    customers = []
    for pk, email in rows.iterator(chunk_size=10000):
        index = email[len(CUSTOMER_EMAIL_PREFIX) : -len(EMAIL_DOMAIN)]
        if index.isdigit():
            customers.append((pk, int(index)))
    return customers


def _next_order_number() -> int:
    last = (
        Order.objects.filter(number__startswith=ORDER_NUMBER_PREFIX)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    suffix = last[len(ORDER_NUMBER_PREFIX) :] if last else ""
    return int(suffix) + 1 if suffix.isdigit() else 1


def _code_sources() -> dict[str, str]:
    """The breakdown's key of each demo code: ``code:<pk>`` as the cart
    writes it where the shop has the code (manage.py promotions_demo makes
    WELCOME10 and FREESHIP), ``code:<CODE>`` for the demo's own."""
    known = dict(PromoCode.objects.filter(code__in=[c.code for c in CODES]).values_list("code", "pk"))
    return {c.code: f"code:{known[c.code]}" if c.code in known else f"code:{c.code}" for c in CODES}


def demo_history_delete() -> tuple[int, int]:
    """Delete what earlier runs made: orders numbered ``DEMO-…`` with their
    lines, returns, payments and refunds, and the events of demo visitors.
    The demo customers (``demo.customer.…@example.com``) stay, to be reused.
    Returns (orders, events) deleted. Anything else that came to point at a
    demo order since (a shipment staff made) stops it, and nothing is deleted."""
    orders = Order.objects.filter(number__startswith=ORDER_NUMBER_PREFIX)
    payments = Payment.objects.filter(order_reference__startswith=ORDER_NUMBER_PREFIX)
    with transaction.atomic():
        # Children first, one statement per table: the ORM's cascade would
        # load a million orders into memory to find their children.
        _delete(ReturnLine.objects.filter(return_request__order__in=orders))
        _delete(Return.objects.filter(order__in=orders))
        _delete(OrderLine.objects.filter(order__in=orders))
        _delete(Refund.objects.filter(payment__in=payments))
        _delete(payments)
        deleted_orders = _delete(orders)
        deleted_events = _delete(Event.objects.filter(visitor__startswith=VISITOR_PREFIX))
    return deleted_orders, deleted_events


def _delete(rows: QuerySet[Any]) -> int:
    """DELETE the rows of ``rows`` in one statement; how many."""
    select, params = rows.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(rows.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({select})", params)  # noqa: S608
        return cursor.rowcount
