# ruff: noqa: S608 -- the SQL is built from this file's own column names; values are parameters
"""The rollups against the raw tables: every figure of the reports computed
again by direct SQL over orders, lines, refunds, returns and events, on
generated data with refunds, cancellations, unpaid orders, promo codes,
returns and orders placed around midnight in the shop's time zone."""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from analytics import reports, routers
from analytics.models import DailyBreakdown, DailyCategory, DailyProduct, DailySales, Event
from analytics.rollups import day_bounds, day_rollup, rollups_rebuild, rollups_refresh
from analytics.routers import ReportsRouter
from catalog.models import Product
from orders.models import Order, OrderLine, Return, ReturnLine
from payments.models import Payment, Refund
from tests.catalog.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

ZONE = "Europe/Berlin"
FIRST = date(2026, 3, 27)  # the clocks go forward on the 29th: a 23-hour day
LAST = date(2026, 4, 2)
CODES = ("SPRING10", "WELCOME")
REASONS = ("Too small", "Arrived damaged", "Not as pictured")
COUNTRIES = ("DE", "AT", "FR")


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE))


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _history(seed: int = 7) -> dict[str, Any]:
    """Orders, payments, refunds, returns and events over FIRST..LAST (and a
    day either side, which must not count)."""
    rng = random.Random(seed)
    clothing, shoes = CategoryFactory.create(name="Clothing"), CategoryFactory.create(name="Shoes")
    products = [ProductFactory.create(title=f"Item {n}", variants=2) for n in range(6)]
    for n, product in enumerate(products):
        product.categories.add(clothing if n % 2 else shoes)
    products[0].categories.add(clothing)  # in both: counts in both
    variants = [v for p in products for v in p.variants.all()]
    emails = [f"customer{n}@example.com" for n in range(12)]
    number = 0
    for day in [
        FIRST - timedelta(days=1),
        *reports._days(reports.Period(FIRST, LAST)),
        LAST + timedelta(days=1),
    ]:
        for _ in range(rng.randint(2, 7)):
            number += 1
            # Minutes around midnight on purpose: 23:59 and 00:01 local are different days.
            hour, minute = rng.choice([(0, 1), (23, 59), (12, 30), (rng.randint(0, 23), rng.randint(0, 59))])
            created = _at(day, hour, minute)
            chosen = rng.sample(variants, rng.randint(1, 3))
            lines = []
            for variant in chosen:
                quantity = rng.randint(1, 4)
                unit = _money(rng, 5, 80)
                discount = _money(rng, 0, 3)
                subtotal = unit * quantity
                tax = (subtotal - discount) * Decimal("0.19") / Decimal("1.19")
                lines.append((variant, quantity, unit, subtotal, discount, tax.quantize(Decimal("0.01"))))
            subtotal = sum((line[3] for line in lines), Decimal(0))
            line_discounts = sum((line[4] for line in lines), Decimal(0))
            code = rng.choice([None, None, *CODES])
            code_amount = _money(rng, 1, 4) if code else Decimal(0)
            shipping = rng.choice([Decimal("0.00"), Decimal("4.90")])
            total = subtotal - line_discounts - code_amount + shipping
            status = rng.choice(["paid", "paid", "shipped", "delivered", "cancelled", "pending_payment"])
            paid = status != "pending_payment" and not (status == "cancelled" and rng.random() < 0.5)
            order = Order.objects.create(
                number=f"T{number:05d}",
                email=rng.choice(emails).upper() if rng.random() < 0.2 else rng.choice(emails),
                status=status,
                currency="EUR",
                prices_include_tax=True,
                subtotal=subtotal,
                discount_total=line_discounts + code_amount,
                shipping_price=shipping,
                tax_total=sum((line[5] for line in lines), Decimal(0)),
                total=total,
                discounts=[
                    {
                        "source": "code",
                        "label": code,
                        "kind": "order",
                        "code": code,
                        "amount": str(code_amount),
                    }
                ]
                if code
                else [],
                promo_codes=[code] if code else [],
                shipping_address={"country_code": rng.choice(COUNTRIES), "city": "X"},
                paid_at=created + timedelta(minutes=rng.choice([0, 2, 90])) if paid else None,
                cancelled_at=created + timedelta(hours=rng.randint(1, 30)) if status == "cancelled" else None,
            )
            Order.objects.filter(pk=order.pk).update(created_at=created)
            order_lines = OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    variant=variant,
                    product_title=variant.product.title,
                    sku=variant.sku,
                    unit_price=unit,
                    quantity=quantity,
                    subtotal=sub,
                    discount=discount,
                    tax_rate=Decimal("19.000"),
                    tax=tax,
                    total=sub - discount,
                )
                for variant, quantity, unit, sub, discount, tax in lines
            )
            if not paid:
                continue
            payment = Payment.objects.create(
                order_reference=order.number,
                gateway="test",
                amount=total,
                currency="EUR",
                status="captured",
                captured_amount=total,
            )
            if status == "cancelled" or rng.random() < 0.15:
                refund_amount = total if status == "cancelled" else _money(rng, 1, 10)
                refund = Refund.objects.create(
                    payment=payment,
                    amount=refund_amount,
                    status=rng.choice(
                        [Refund.Status.SUCCEEDED, Refund.Status.SUCCEEDED, Refund.Status.FAILED]
                    ),
                    idempotency_key=f"r-{order.number}",
                )
                Refund.objects.filter(pk=refund.pk).update(
                    created_at=created + timedelta(hours=rng.randint(2, 50))
                )
            if status == "delivered" and rng.random() < 0.6:
                request = Return.objects.create(
                    order=order, number=f"{order.number}-R1", reason=rng.choice(REASONS)
                )
                Return.objects.filter(pk=request.pk).update(
                    created_at=created + timedelta(hours=rng.randint(2, 40))
                )
                line = order_lines[0]
                ReturnLine.objects.create(
                    return_request=request, order_line=line, quantity=rng.randint(1, line.quantity)
                )
    # Events: visitors who view, add, check out and buy, searches, campaigns.
    events = []
    for day in reports._days(reports.Period(FIRST - timedelta(days=1), LAST)):
        for n in range(rng.randint(5, 15)):
            visitor = f"{day:%m%d}{n:028d}"
            when = _at(day, rng.choice([0, 13, 23]), rng.randint(0, 59))
            product = rng.choice(products)
            events.append(Event(name="product_view", occurred_at=when, visitor=visitor, slug=product.slug))
            if rng.random() < 0.3:
                events.append(
                    Event(name="campaign_visit", occurred_at=when, visitor=visitor, source="newsletter")
                )
            if rng.random() < 0.5:
                events.append(
                    Event(
                        name="cart_add", occurred_at=when, visitor=visitor, product_id=product.pk, quantity=1
                    )
                )
                if rng.random() < 0.6:
                    events.append(
                        Event(name="checkout_step", occurred_at=when, visitor=visitor, step="contact")
                    )
                    if rng.random() < 0.6:
                        reference = f"E{day:%m%d}{n}"
                        for _ in range(rng.choice([1, 2])):  # a reload records it again
                            events.append(
                                Event(
                                    name="order_placed",
                                    occurred_at=when,
                                    visitor=visitor,
                                    reference=reference,
                                    value=Decimal("20.00"),
                                )
                            )
            if rng.random() < 0.4:
                query = rng.choice(["parka", "jakcet", "boots"])
                events.append(
                    Event(
                        name="search",
                        occurred_at=when,
                        visitor=visitor,
                        query=query,
                        results=0 if query == "jakcet" else 3,
                    )
                )
            if rng.random() < 0.2:
                events.append(
                    Event(name="listing_view", occurred_at=when, visitor=visitor, slug=clothing.slug)
                )
    Event.objects.bulk_create(events)
    return {"products": products, "clothing": clothing, "shoes": shoes}


def _local_day(column: str) -> str:
    """SQL for the shop-time-zone day of a timestamp column."""
    return f"({column} AT TIME ZONE '{ZONE}')::date"


def _one(sql: str, params: tuple[Any, ...] = ()) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _all(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def history(settings) -> Iterator[dict[str, Any]]:
    settings.TIME_ZONE = ZONE
    data = _history()
    with timezone.override(ZONE):
        rollups_rebuild(FIRST - timedelta(days=1), LAST + timedelta(days=1))
        yield data


RANGE = (FIRST, LAST)


@pytest.mark.postgres
def test_every_summary_figure_matches_direct_sql_over_the_raw_tables(history):
    total = reports.summary(reports.Period(FIRST, LAST))
    paid = _local_day("o.paid_at")
    orders, gross, discounts, shipping, tax = _one(
        f"SELECT count(*), sum(total), sum(discount_total), sum(shipping_price), sum(tax_total) "
        f"FROM orders_order o WHERE {paid} BETWEEN %s AND %s",
        RANGE,
    )
    assert (total.orders, total.gross, total.discounts, total.shipping, total.tax) == (
        orders,
        gross,
        discounts,
        shipping,
        tax,
    )
    (units,) = _one(
        f"SELECT sum(l.quantity) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
        f"WHERE {paid} BETWEEN %s AND %s",
        RANGE,
    )
    assert total.units == units
    refunds, refund_count = _one(
        f"SELECT coalesce(sum(amount), 0), count(*) FROM payments_refund r "
        f"WHERE status = 'succeeded' AND {_local_day('r.created_at')} BETWEEN %s AND %s",
        RANGE,
    )
    assert (total.refunds, total.refunds_count) == (refunds, refund_count)
    assert total.revenue == gross - refunds
    assert total.average_order_value == (gross / orders).quantize(Decimal("0.01"))
    (cancelled,) = _one(
        f"SELECT count(*) FROM orders_order o WHERE {_local_day('o.cancelled_at')} BETWEEN %s AND %s", RANGE
    )
    assert total.cancelled == cancelled
    # New and returning: per day, customers (email, case aside) with or without an earlier payment.
    new, returning = _one(
        f"""SELECT count(*) FILTER (WHERE NOT earlier), count(*) FILTER (WHERE earlier) FROM (
              SELECT DISTINCT {paid} AS day, upper(o.email) AS customer,
                     EXISTS (SELECT 1 FROM orders_order p WHERE upper(p.email) = upper(o.email)
                             AND {_local_day("p.paid_at")} < {paid}) AS earlier
              FROM orders_order o WHERE {paid} BETWEEN %s AND %s) days""",
        RANGE,
    )
    assert (total.new_customers, total.returning_customers) == (new, returning)
    assert total.new_customers > 0
    assert total.returning_customers > 0
    returns, returned_units = _one(
        f"SELECT count(DISTINCT r.id), coalesce(sum(l.quantity), 0) FROM orders_return r "
        f"JOIN orders_returnline l ON l.return_request_id = r.id "
        f"WHERE {_local_day('r.created_at')} BETWEEN %s AND %s",
        RANGE,
    )
    assert (total.returns, total.returned_units) == (returns, returned_units)
    (promo_orders,) = _one(
        f"SELECT count(*) FROM orders_order o WHERE {paid} BETWEEN %s AND %s AND promo_codes::text <> '[]'",
        RANGE,
    )
    assert total.promo_orders == promo_orders


@pytest.mark.postgres
def test_visitor_figures_and_the_funnel_match_distinct_visitors_per_day(history):
    total = reports.summary(reports.Period(FIRST, LAST))
    occurred = _local_day("e.occurred_at")

    def per_day(condition: str) -> int:
        (value,) = _one(
            f"SELECT coalesce(sum(n), 0) FROM (SELECT {occurred}, count(DISTINCT visitor) AS n "
            f"FROM analytics_event e WHERE {condition} AND {occurred} BETWEEN %s AND %s GROUP BY 1) d",
            RANGE,
        )
        return value

    assert total.visitors == per_day("true")
    assert total.product_viewers == per_day("name = 'product_view'")
    assert total.cart_adders == per_day("name = 'cart_add'")
    assert total.checkout_starters == per_day("name = 'checkout_step'")
    assert total.buyers == per_day("name = 'order_placed'")
    searches, zero = _one(
        f"SELECT count(*), count(*) FILTER (WHERE results = 0) FROM analytics_event e "
        f"WHERE name = 'search' AND {occurred} BETWEEN %s AND %s",
        RANGE,
    )
    assert (total.searches, total.zero_result_searches) == (searches, zero)
    steps = reports.funnel(total)
    assert [s.visitors for s in steps] == [
        total.product_viewers,
        total.cart_adders,
        total.checkout_starters,
        total.buyers,
    ]
    assert steps[1].drop_off == (Decimal(steps[0].visitors - steps[1].visitors) / steps[0].visitors).quantize(
        Decimal("0.0001")
    )
    assert total.conversion_rate == (Decimal(total.buyers) / total.visitors).quantize(Decimal("0.0001"))


@pytest.mark.postgres
def test_products_categories_and_breakdowns_match_direct_sql(history):
    period = reports.Period(FIRST, LAST)
    paid = _local_day("o.paid_at")
    expected = _all(
        f"""SELECT v.product_id, sum(l.quantity), sum(l.total) FROM orders_orderline l
            JOIN orders_order o ON o.id = l.order_id JOIN catalog_variant v ON v.id = l.variant_id
            WHERE {paid} BETWEEN %s AND %s GROUP BY 1 ORDER BY 3 DESC, 1""",
        RANGE,
    )
    top = reports.top_products(period, by="revenue", limit=50)
    assert [(p.product_id, p.units, p.revenue) for p in top] == [tuple(row) for row in expected]
    views = dict(
        _all(
            f"SELECT p.id, count(*) FROM analytics_event e JOIN catalog_product p ON p.slug = e.slug "
            f"WHERE e.name = 'product_view' AND {_local_day('e.occurred_at')} BETWEEN %s AND %s GROUP BY 1",
            RANGE,
        )
    )
    assert [p.views for p in top] == [views.get(p.product_id, 0) for p in top]
    categories = _all(
        f"""SELECT pc.category_id, sum(l.quantity), sum(l.total) FROM orders_orderline l
            JOIN orders_order o ON o.id = l.order_id JOIN catalog_variant v ON v.id = l.variant_id
            JOIN catalog_product_categories pc ON pc.product_id = v.product_id
            WHERE {paid} BETWEEN %s AND %s GROUP BY 1 ORDER BY 3 DESC""",
        RANGE,
    )
    assert [(c.category_id, c.units, c.revenue) for c in reports.top_categories(period)] == [
        tuple(row) for row in categories
    ]
    countries = _all(
        f"SELECT shipping_address->>'country_code', count(*), sum(total) FROM orders_order o "
        f"WHERE {paid} BETWEEN %s AND %s GROUP BY 1",
        RANGE,
    )
    got = {(s.key, s.count, s.amount) for s in reports.breakdown(period, DailyBreakdown.Dimension.COUNTRY)}
    assert got == {tuple(row) for row in countries}
    codes = _all(
        f"SELECT d->>'code', count(DISTINCT o.id), sum((d->>'amount')::numeric) FROM orders_order o, "
        f"jsonb_array_elements(o.discounts) d WHERE {paid} BETWEEN %s AND %s AND d->>'code' <> '' GROUP BY 1",
        RANGE,
    )
    got = {(s.key, s.count, s.amount) for s in reports.breakdown(period, DailyBreakdown.Dimension.PROMO)}
    assert got == {tuple(row) for row in codes}
    reasons = _all(
        f"SELECT r.reason, count(DISTINCT r.id), sum(l.quantity) FROM orders_return r "
        f"JOIN orders_returnline l ON l.return_request_id = r.id "
        f"WHERE {_local_day('r.created_at')} BETWEEN %s AND %s GROUP BY 1",
        RANGE,
    )
    counts = {
        (s.key, s.count, s.count2) for s in reports.breakdown(period, DailyBreakdown.Dimension.RETURN_REASON)
    }
    assert counts == {tuple(row) for row in reasons}
    searches = _all(
        f"SELECT query, count(*), count(*) FILTER (WHERE results = 0) FROM analytics_event e "
        f"WHERE name = 'search' AND {_local_day('e.occurred_at')} BETWEEN %s AND %s GROUP BY 1",
        RANGE,
    )
    searched = {
        (s.key, s.count, s.count2) for s in reports.breakdown(period, DailyBreakdown.Dimension.SEARCH)
    }
    assert searched == {tuple(row) for row in searches}
    assert [s.key for s in reports.zero_result_searches(period)] == ["jakcet"]
    # Channels: orders (once per reference) of visitors who came by a campaign that day.
    (newsletter_orders,) = _one(
        f"""SELECT count(DISTINCT (p.reference, {_local_day("p.occurred_at")})) FROM analytics_event p
            WHERE p.name = 'order_placed' AND {_local_day("p.occurred_at")} BETWEEN %s AND %s AND EXISTS (
              SELECT 1 FROM analytics_event c WHERE c.name = 'campaign_visit' AND c.visitor = p.visitor
              AND {_local_day("c.occurred_at")} = {_local_day("p.occurred_at")})""",
        RANGE,
    )
    channels = {s.key: s for s in reports.breakdown(period, DailyBreakdown.Dimension.CHANNEL)}
    assert channels["newsletter"].count2 == newsletter_orders
    assert (
        sum(s.count2 for s in channels.values())
        == _one(
            f"SELECT count(DISTINCT reference) FROM analytics_event e WHERE name = 'order_placed' "
            f"AND {_local_day('e.occurred_at')} BETWEEN %s AND %s",
            RANGE,
        )[0]
    )


def _snapshot() -> list[Any]:
    return [
        sorted(
            tuple(v for k, v in row.items() if k not in ("id", "computed_at"))
            for row in model.objects.order_by().values()
        )
        for model in (DailySales, DailyProduct, DailyCategory, DailyBreakdown)
    ]


def test_computing_a_day_again_gives_the_same_rows(history):
    before = _snapshot()
    assert DailySales.objects.count() == 9
    rollups_rebuild(FIRST, LAST)
    day_rollup(FIRST + timedelta(days=2))
    assert _snapshot() == before


def test_a_day_is_a_day_of_the_shops_time_zone(history):
    """29 March 2026 has 23 hours in Berlin; an order at 00:01 local belongs
    to its own day, not to the UTC day before."""
    start, end = day_bounds(date(2026, 3, 29))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    late = Order.objects.filter(paid_at__gte=start, paid_at__lt=end).count()
    assert DailySales.objects.get(day=date(2026, 3, 29)).orders == late


def test_figures_of_days_past_the_events_retention_survive_a_recompute(history, settings):
    day = FIRST + timedelta(days=1)
    kept = DailySales.objects.get(day=day)
    views_before = dict(DailyProduct.objects.filter(day=day).values_list("product_id", "views"))
    assert kept.visitors > 0
    Event.objects.all().delete()  # as the purge would, a year later
    settings.ANALYTICS_RETENTION_DAYS = 1
    later = timezone.now() + timedelta(days=400)
    day_rollup(day, now=later)
    again = DailySales.objects.get(day=day)
    assert (again.visitors, again.buyers, again.searches) == (kept.visitors, kept.buyers, kept.searches)
    assert dict(DailyProduct.objects.filter(day=day).values_list("product_id", "views")) == views_before
    assert DailyBreakdown.objects.filter(day=day, dimension="search").exists()


def test_refresh_computes_today_and_the_two_days_before():
    computed = rollups_refresh()
    today = timezone.localdate()
    assert computed == [today - timedelta(days=2), today - timedelta(days=1), today]
    assert list(DailySales.objects.values_list("day", flat=True)) == computed


def test_no_customer_email_or_address_reaches_a_rollup(history):
    for model in (DailySales, DailyProduct, DailyCategory, DailyBreakdown):
        for row in model.objects.values():
            text = " ".join(str(value) for value in row.values())
            assert "@" not in text
            assert "example.com" not in text.lower()


def test_a_product_deleted_since_keeps_its_sales_under_a_placeholder(history):
    product = history["products"][0]
    OrderLine.objects.filter(variant__product=product).update(variant=None)
    Product.objects.filter(pk=product.pk).delete()
    rollups_rebuild(FIRST, LAST)
    rows = reports.top_products(reports.Period(FIRST, LAST), limit=50)
    assert any(row.product_id is None and row.title == "Deleted product" for row in rows)


def test_analytics_rebuild_computes_the_days_with_progress_and_refuses_bad_dates():
    out = StringIO()
    call_command(
        "analytics_rebuild", "--from", "2026-01-01", "--to", "2026-01-03", "--no-progress", stdout=out
    )
    assert "3/3 days computed" in out.getvalue()
    assert "Rollups: 3 days computed" in out.getvalue()
    assert DailySales.objects.count() == 3
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("analytics_rebuild", "--from", "01/02/2026")
    with pytest.raises(CommandError, match="after"):
        call_command("analytics_rebuild", "--from", "2026-02-02", "--to", "2026-02-01")


def test_reports_read_the_rollups_from_the_replica_when_one_is_configured(monkeypatch):
    router = ReportsRouter()
    assert router.db_for_read(DailySales) is None  # no replica: the primary
    monkeypatch.setattr(routers, "connections", SimpleNamespace(databases={"default": {}, "replica": {}}))
    assert router.db_for_read(DailySales) == "replica"
    assert router.db_for_read(DailyBreakdown) == "replica"
    assert router.db_for_read(Event) is None  # the rollups are computed from the primary
    assert router.db_for_read(Order) is None
    assert router.db_for_write(DailySales) is None
    assert router.allow_migrate("replica", "analytics") is False
    assert router.allow_migrate("default", "analytics") is None
