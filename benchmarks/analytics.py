#!/usr/bin/env python
"""Benchmark the analytics at scale (issue 18): a million orders and twenty
million events on PostgreSQL.

    .venv/bin/python benchmarks/analytics.py                # 1,000,000 orders
    .venv/bin/python benchmarks/analytics.py --orders 100000

1. Data: a database of its own (``shop_bench_analytics`` by default), migrated,
   a demo catalog of 2,000 products, then ``analytics_demo --orders N`` (its
   time is the generator's); skipped when the orders are there already.
2. Rollups: ``analytics_rebuild`` over the whole history; the time per day
   (median, p95, the slowest) is what the beat task pays every 15 minutes.
3. Dashboard: ``/admin/analytics/`` for 90-day ranges spread over the
   history, in this process through Django's test client (the server's time,
   no network), after one warm-up request; the SQL query count of each.
4. Tracking: a product page request with ``ANALYTICS_ENABLED`` on and off,
   interleaved, the difference of the medians (``track()`` is one INSERT),
   and ``track()`` alone.

Writes ``analytics-results.json`` and ``analytics-results.md`` beside this file.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

TARGET_DASHBOARD_MS = 300.0
TARGET_DAY_ROLLUP_S = 10.0
TARGET_TRACKING_MS = 1.0


def log(message: str) -> None:
    print(f"[analytics bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {"p50": round(at(0.5), 2), "p95": round(at(0.95), 2), "max": round(ordered[-1], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730, help="Days of history (default 730).")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench_analytics"
        ),
    )
    parser.add_argument("--ranges", type=int, default=20, help="90-day ranges to time (default 20).")
    parser.add_argument(
        "--requests", type=int, default=300, help="Product page requests per side (default 300)."
    )
    args = parser.parse_args()

    from benchmarks.run import database_ensure

    database_ensure(args.database_url)
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="analytics-benchmark-" + "x" * 40,
        ADMIN_REQUIRE_MFA="0",
        CONN_MAX_AGE="600",
        STATIC_ROOT=str(ROOT / "var" / "bench" / "static"),  # DEBUG=0 serves the collected, hashed files
        REDIS_URL="",  # in-process: the local-memory cache, no page cache in the way of the dashboard
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from analytics.models import DailySales, Event
    from analytics.rollups import day_rollup
    from catalog.models import Product
    from orders.models import Order

    results: dict[str, Any] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "orders_target": args.orders,
    }
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if Product.objects.count() < 2000:
        log("seeding 2,000 products")
        call_command("seed_demo", "--products", "2000", "--no-progress", verbosity=0)
    have = Order.objects.count()
    if have < args.orders:
        log(f"generating {args.orders - have:,} orders of history")
        started = time.monotonic()
        call_command(
            "analytics_demo", "--orders", str(args.orders - have), "--days", str(args.days), "--no-rollups"
        )
        results["generate_seconds"] = round(time.monotonic() - started, 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results["orders"] = Order.objects.count()
    results["events"] = Event.objects.count()
    log(f"{results['orders']:,} orders, {results['events']:,} events")

    first_day = timezone.localdate(
        Order.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    )
    last_day = timezone.localdate()
    days = (last_day - first_day).days + 1
    if DailySales.objects.count() < days:
        log(f"rollups of {days} days")
        started = time.monotonic()
        call_command("analytics_rebuild", "--from", first_day.isoformat(), "--to", last_day.isoformat())
        results["rebuild_seconds"] = round(time.monotonic() - started, 1)
    # A day's rollup, timed on its own: the busiest days (December) and others.
    busiest = list(DailySales.objects.order_by("-orders").values_list("day", flat=True)[:5])
    sample = busiest + [first_day + timedelta(days=n * days // 15) for n in range(1, 15)]
    day_seconds = []
    for day in sample:
        started = time.monotonic()
        day_rollup(day)
        day_seconds.append(time.monotonic() - started)
    results["day_rollup_seconds"] = percentiles(day_seconds)
    results["busiest_day_orders"] = DailySales.objects.order_by("-orders").values_list("orders", flat=True)[0]
    log(f"day rollup {results['day_rollup_seconds']}")

    staff = User.objects.filter(email="bench-analytics@example.com").first() or User.objects.create_superuser(
        email="bench-analytics@example.com", password=None
    )
    client = Client()
    client.force_login(staff)
    url = reverse("analytics_admin:dashboard")
    span = max(days - 90, 1)
    ranges = [first_day + timedelta(days=n * span // max(args.ranges - 1, 1)) for n in range(args.ranges)]
    client.get(
        url, {"from": ranges[0].isoformat(), "to": (ranges[0] + timedelta(days=89)).isoformat()}, secure=True
    )
    times, queries = [], []
    for start in ranges:
        params = {
            "from": start.isoformat(),
            "to": (start + timedelta(days=89)).isoformat(),
            "compare": "previous",
        }
        with CaptureQueriesContext(connection) as captured:
            started = time.monotonic()
            response = client.get(url, params, secure=True)
            times.append((time.monotonic() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"the dashboard answered {response.status_code}")
        queries.append(len(captured.captured_queries))
    results["dashboard_90_days_ms"] = percentiles(times)
    results["dashboard_queries"] = sorted(set(queries))
    log(f"dashboard 90 days {results['dashboard_90_days_ms']} ms, queries {results['dashboard_queries']}")

    # Tracking: the same product page with recording on and off, interleaved.
    from django.conf import settings

    product = Product.objects.filter(is_active=True).order_by("pk").first()
    if product is None:
        sys.exit("no active product")
    shopper = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36")
    page = product.get_absolute_url()
    sides: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(20):
        shopper.get(page, secure=True)
    for n in range(args.requests * 2):
        enabled = n % 2 == 0
        settings.ANALYTICS_ENABLED = enabled
        started = time.perf_counter()
        response = shopper.get(page, secure=True)
        sides[enabled].append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"the product page answered {response.status_code}")
    settings.ANALYTICS_ENABLED = True
    on, off = statistics.median(sides[True]), statistics.median(sides[False])
    results["product_page_ms"] = {"tracking_on": round(on, 3), "tracking_off": round(off, 3)}
    results["tracking_cost_ms"] = round(on - off, 3)
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from analytics.events import Name, track

    request = RequestFactory().get(page, HTTP_USER_AGENT="Mozilla/5.0 Chrome/131.0")
    request.user = AnonymousUser()
    calls = []
    for _ in range(500):
        started = time.perf_counter()
        track(request, Name.PRODUCT_VIEW, slug=product.slug)
        calls.append((time.perf_counter() - started) * 1000)
    results["track_call_ms"] = percentiles(calls)
    log(f"tracking adds {results['tracking_cost_ms']} ms to a page; track() {results['track_call_ms']}")

    results["targets"] = {
        "dashboard_p95_ms": [results["dashboard_90_days_ms"]["p95"], TARGET_DASHBOARD_MS],
        "day_rollup_max_s": [results["day_rollup_seconds"]["max"], TARGET_DAY_ROLLUP_S],
        "tracking_ms": [results["tracking_cost_ms"], TARGET_TRACKING_MS],
    }
    (HERE / "analytics-results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (HERE / "analytics-results.md").write_text(markdown(results))
    print(markdown(results))
    return 0


def markdown(results: dict[str, Any]) -> str:
    def met(value: float, target: float) -> str:
        return "met" if value <= target else "NOT met"

    targets = results["targets"]
    lines = [
        f"# Analytics benchmark, {results['when']}",
        "",
        f"{results['machine']}; PostgreSQL; {results['orders']:,} orders, {results['events']:,} events.",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
    ]
    if "generate_seconds" in results:
        lines.append(f"| `analytics_demo` (this run's new orders) | {results['generate_seconds']} s | |")
    if "rebuild_seconds" in results:
        lines.append(f"| `analytics_rebuild` of the whole history | {results['rebuild_seconds']} s | |")
    day = results["day_rollup_seconds"]
    dashboard = results["dashboard_90_days_ms"]
    track = results["track_call_ms"]
    lines += [
        f"| a day's rollup (p50 / p95 / slowest; busiest day {results['busiest_day_orders']:,} orders) "
        f"| {day['p50']} / {day['p95']} / {day['max']} s | ≤ 10 s, {met(*targets['day_rollup_max_s'])} |",
        f"| dashboard, 90 days with comparison (p50 / p95 / max) | {dashboard['p50']} / "
        f"{dashboard['p95']} / {dashboard['max']} ms "
        f"| ≤ 300 ms, {met(*targets['dashboard_p95_ms'])} |",
        f"| dashboard SQL queries | {', '.join(map(str, results['dashboard_queries']))} | constant |",
        f"| product page, tracking on / off (median) | {results['product_page_ms']['tracking_on']} / "
        f"{results['product_page_ms']['tracking_off']} ms | |",
        f"| tracking's cost per request | {results['tracking_cost_ms']} ms "
        f"| ≤ 1 ms, {met(*targets['tracking_ms'])} |",
        f"| `track()` alone (p50 / p95) | {track['p50']} / {track['p95']} ms | |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
