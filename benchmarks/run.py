#!/usr/bin/env python
"""Benchmark the shop's pages as production serves them.

    .venv/bin/python benchmarks/run.py            # see benchmarks/README.md

1. Makes sure a PostgreSQL database holds the demo catalog (100,000 products
   by default): creates the database, migrates, runs ``seed_demo`` (which adds
   only what is missing, so a second run reuses the data).
2. Serves the shop with gunicorn as in production: DEBUG=0, 2 x cores sync
   workers, persistent database connections, the Redis cache, compressed
   static files, HTTPS as seen behind the proxy (X-Forwarded-Proto).
3. For each page: a warm-up, then wrk at a fixed concurrency for a fixed
   time. Client-side latency percentiles come from wrk (report.lua);
   server-side ones from gunicorn's access log (%(D)s, the time gunicorn
   spent on the request, without the queueing in front of the workers).
4. Prints a table, and writes ``results.json`` and ``results.md`` beside this
   file, each page's throughput as a ratio to the minimal view's.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)

# What a person searches for: one word, two words, and a typo of the first.
SEARCH_WORD = "jacket"
SEARCH_TWO_WORDS = "merino jacket"
SEARCH_TYPO = "jakcet"
TARGET_RATIO = 0.5
TARGET_SEARCH_P95_MS = 50.0
# A signed-in shopper's own pages (never page-cached): the cart of 10 lines,
# the history of 25 orders, one shipped order.
SIGNED_IN_PAGES = ("cart", "orders", "order page")
TARGET_SIGNED_IN_P95_MS = 50.0
# The API's product list is at least as fast as the page it mirrors.
API_AGAINST_PAGE = {"api: products": "listing", "api: search": "search: one word"}


@dataclass
class PageResult:
    name: str
    path: str
    requests: int = 0
    seconds: float = 0.0
    throughput: float = 0.0
    ratio_to_minimal: float | None = None
    non_2xx: int = 0
    socket_errors: int = 0
    client_ms: dict[str, float] = field(default_factory=dict)
    server_ms: dict[str, float] = field(default_factory=dict)
    status: str = ""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench"),
        help="PostgreSQL database to create or reuse (default: %(default)s).",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="Redis for the cache (default: %(default)s).",
    )
    parser.add_argument("--products", type=int, default=100_000, help="Catalog size (default: %(default)s).")
    parser.add_argument("--duration", type=int, default=15, help="Seconds measured per page (default: 15).")
    parser.add_argument("--warmup", type=int, default=3, help="Seconds of warm-up per page (default: 3).")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections (default: 8).")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: 2).")
    parser.add_argument(
        "--workers", type=int, default=2 * cores, help="gunicorn workers (default: 2 x cores)."
    )
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="Measure every page this many times, interleaved (page by page, pass after pass), and "
        "keep each page's median pass by throughput: two pages compared in one run share the "
        "machine's drift (default: 1).",
    )
    parser.add_argument("--port", type=int, default=8765, help="Local port (default: %(default)s).")
    parser.add_argument("--pages", nargs="*", help="Only these pages (names as in the table).")
    parser.add_argument("--skip-seed", action="store_true", help="Use the database as it is.")
    parser.add_argument("--output", type=Path, default=HERE, help="Where results.json/.md go.")
    return parser.parse_args()


def wrk_ensure() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    apt_get = shutil.which("apt-get")
    if os.geteuid() == 0 and apt_get:
        log("wrk is missing: installing Debian's package")
        subprocess.run([apt_get, "update", "-qq"], check=True)  # noqa: S603 - fixed arguments
        subprocess.run(  # noqa: S603
            [apt_get, "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: sudo apt-get install -y wrk")
    return found


def database_ensure(url: str) -> None:
    """Create the database when the server does not have it yet."""
    import psycopg  # the shop's venv has it

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(PYTHON), str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def manage_json(env: dict[str, str], code: str) -> dict[str, Any]:
    """Run ``code`` in ``manage.py shell``; the JSON object on its last line."""
    output = subprocess.run(  # noqa: S603 - our own code
        [str(PYTHON), str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def targets_pick(env: dict[str, str]) -> dict[str, str]:
    """The pages to measure, with a category and a product from the data."""
    code = (
        "import json\n"
        "from django.db.models import Count\n"
        "from catalog.models import Category, Product\n"
        "category = Category.objects.filter(parent=None, is_active=True)"
        ".annotate(n=Count('children')).order_by('-n', 'position', 'pk').first()\n"
        "product = Product.objects.filter(is_active=True, pk__in=Product.objects.order_by('pk')"
        ".values('pk')[:500]).annotate(n=Count('variants')).order_by('-n', 'pk').first()\n"
        "print(json.dumps({'category': category.slug if category else None,"
        " 'product': product.slug if product else None}))\n"
    )
    picked = manage_json(env, code)
    if not picked["category"] or not picked["product"]:
        sys.exit("The database has no catalog: run without --skip-seed.")
    return {
        "minimal": "/bench/minimal/",
        "home": "/",
        "listing": "/products/",
        "api: products": "/api/v1/products/",
        "category": f"/categories/{picked['category']}/",
        "product": f"/products/{picked['product']}/",
        "search: one word": f"/products/?q={quote(SEARCH_WORD)}",
        "search: two words": f"/products/?q={quote(SEARCH_TWO_WORDS)}",
        "search: typo": f"/products/?q={quote(SEARCH_TYPO)}",
        "api: search": f"/api/v1/products/?q={quote(SEARCH_WORD)}",
    }


def shopper_prepare(env: dict[str, str]) -> dict[str, Any]:
    """The signed-in shopper (benchmarks/shopper.py): made once, a new session each run."""
    manage(env, "shipping_demo")
    manage(env, "tax_rates_demo")
    code = "import json\nfrom benchmarks.shopper import prepare\nprint(json.dumps(prepare()))\n"
    shopper = manage_json(env, code)
    log(f"shopper: {shopper['orders']} orders, {shopper['cart_lines']} cart lines")
    return shopper


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def fetch_status(url: str, cookie: str = "") -> int:
    headers = {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def server_start(env: dict[str, str], args: argparse.Namespace, access_log: Path) -> subprocess.Popen[bytes]:
    gunicorn = (
        VENV_BIN / "gunicorn" if (VENV_BIN / "gunicorn").exists() else Path(shutil.which("gunicorn") or "")
    )
    command = [
        str(gunicorn),
        "shop.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        str(access_log),
        # path?query status microseconds
        "--access-logformat",
        "%(U)s?%(q)s %(s)s %(D)s",
        "--log-level",
        "warning",
        # gunicorn 27 puts one control socket per user at ~/.gunicorn/; a second
        # server on the machine (the tests' own) would take it over.
        "--no-control-socket",
    ]
    log(f"starting gunicorn: {args.workers} workers on 127.0.0.1:{args.port}")
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited; see its output above.")
        if fetch_status(f"http://127.0.0.1:{args.port}/healthz") == 200:
            return server
        time.sleep(0.5)
    server_stop(server)
    sys.exit("gunicorn did not answer /healthz within 60 seconds.")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # gunicorn and its workers, by the group we started
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wrk_run(wrk: str, url: str, args: argparse.Namespace, seconds: int, cookie: str = "") -> dict[str, Any]:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        "-s",
        str(HERE / "report.lua"),
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            return dict(json.loads(line.removeprefix("WRK_JSON ")))
    raise RuntimeError(f"wrk printed no result:\n{output}")


def percentiles_ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)

    return {"mean": round(statistics.fmean(ordered), 2), "p50": at(50), "p95": at(95), "p99": at(99)}


def server_times(access_log: Path, start: int, path: str) -> tuple[list[float], int]:
    """Milliseconds gunicorn spent on each request to ``path`` logged after
    byte ``start``, and how many of them were not 2xx."""
    wanted = path if "?" in path else f"{path}?"
    times, bad = [], 0
    with access_log.open("rb") as stream:
        stream.seek(start)
        for raw in stream:
            parts = raw.decode("utf-8", "replace").split()
            if len(parts) != 3 or parts[0] != wanted:
                continue
            times.append(int(parts[2]) / 1000)
            bad += not parts[1].startswith("2")
    return times, bad


def page_measure(
    name: str, path: str, *, wrk: str, args: argparse.Namespace, access_log: Path, cookie: str = ""
) -> PageResult:
    base = f"http://127.0.0.1:{args.port}"
    result = PageResult(name=name, path=path)
    status = fetch_status(base + path, cookie)
    result.status = str(status)
    if status != 200:
        log(f"{name}: {path} answers {status}; measured anyway")
    wrk_run(wrk, base + path, args, args.warmup, cookie)
    start = access_log.stat().st_size
    measured = wrk_run(wrk, base + path, args, args.duration, cookie)
    time.sleep(0.5)  # the last access-log lines
    result.requests = int(measured["requests"])
    result.seconds = measured["duration_us"] / 1_000_000
    result.throughput = round(result.requests / result.seconds, 1) if result.seconds else 0.0
    result.non_2xx = int(measured["non_2xx"])
    result.socket_errors = sum(int(v) for v in measured["errors"].values())
    result.client_ms = {key: round(value / 1000, 2) for key, value in measured["latency_us"].items()}
    times, _bad = server_times(access_log, start, path)
    result.server_ms = percentiles_ms(times)
    log(
        f"{name:<18} {result.throughput:>8.1f} req/s  client p95 {result.client_ms.get('p95', 0):>7.1f} ms  "
        f"server p95 {result.server_ms.get('p95', 0):>7.1f} ms  non-2xx {result.non_2xx}"
    )
    return result


def markdown_table(results: list[PageResult], meta: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"{meta['when']} on {meta['machine']}: {meta['products']:,} products in PostgreSQL, "
        f"gunicorn with {meta['workers']} sync workers (DEBUG=0, persistent connections, Redis cache), "
        f"wrk with {meta['connections']} connections for {meta['duration']} s per page after "
        f"{meta['warmup']} s of warm-up"
        + (f", median of {meta['passes']} interleaved passes" if meta.get("passes", 1) > 1 else "")
        + ". Server-side times are gunicorn's own (access log `%(D)s`); "
        "client-side ones include the wait for a free worker.",
        "",
        "| page | path | status | req/s | ratio to minimal | client p50 / p95 / p99 ms "
        "| server p50 / p95 / p99 ms | non-2xx |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = f"{r.ratio_to_minimal:.2f}" if r.ratio_to_minimal is not None else "-"
        client = " / ".join(f"{r.client_ms.get(k, 0):.1f}" for k in ("p50", "p95", "p99"))
        server = " / ".join(f"{r.server_ms.get(k, 0):.1f}" for k in ("p50", "p95", "p99"))
        lines.append(
            f"| {r.name} | `{r.path}` | {r.status} | {r.throughput:.1f} | {ratio} | {client} | {server} "
            f"| {r.non_2xx} |"
        )
    lines += ["", "Targets:", ""]
    for target in meta["targets"]:
        lines.append(f"- {target['what']}: {target['value']} ({'met' if target['met'] else 'NOT met'})")
    return "\n".join(lines) + "\n"


def targets_check(results: list[PageResult]) -> list[dict[str, Any]]:
    checks = []
    by_name = {r.name: r for r in results}
    for r in results:
        if r.name in ("listing", "product", "category") and r.ratio_to_minimal is not None:
            checks.append(
                {
                    "what": f"{r.name} throughput >= {TARGET_RATIO} x minimal",
                    "value": f"{r.ratio_to_minimal:.2f}",
                    "met": r.status == "200" and r.ratio_to_minimal >= TARGET_RATIO,
                }
            )
        limit = TARGET_SEARCH_P95_MS if r.name.startswith("search") else TARGET_SIGNED_IN_P95_MS
        html = by_name.get(API_AGAINST_PAGE.get(r.name, ""))
        if html is not None and r.throughput and html.throughput:
            checks.append(
                {
                    "what": f"{r.name} throughput >= {html.name}'s (issue 19)",
                    "value": f"{r.throughput:.1f} vs {html.throughput:.1f} req/s",
                    "met": r.status == "200" and r.throughput >= html.throughput,
                }
            )
        if (r.name.startswith("search") or r.name in SIGNED_IN_PAGES) and r.server_ms:
            checks.append(
                {
                    "what": f"{r.name} server p95 < {limit:.0f} ms",
                    "value": f"{r.server_ms['p95']:.1f} ms",
                    "met": r.status == "200" and r.server_ms["p95"] < limit,
                }
            )
    return checks


def main() -> int:
    args = parse_args()
    wrk = wrk_ensure()
    if not port_free(args.port):
        sys.exit(f"Port {args.port} is taken: pass --port.")
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": "bench",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(var / "static"),
        "MEDIA_ROOT": str(var / "media"),
        "LOG_LEVEL": "WARNING",
        # wrk is one client address: the API's anonymous rate would answer 429s.
        "API_RATE_ANON": "100000000/min",
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    database_ensure(args.database_url)
    log("migrating")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    if not args.skip_seed:
        log(f"making sure the catalog has {args.products:,} products (seed_demo; reuses what is there)")
        manage(env, "seed_demo", "--products", str(args.products), "--no-progress")
    pages = targets_pick(env)
    shopper = shopper_prepare(env)
    pages |= {"cart": "/cart/", "orders": "/orders/", "order page": f"/orders/{shopper['order']}/"}
    if args.pages:
        pages = {name: path for name, path in pages.items() if name in args.pages or name == "minimal"}
    access_log = var / "access.log"
    access_log.write_text("")
    server = server_start(env, args, access_log)
    passes: dict[str, list[PageResult]] = {name: [] for name in pages}
    try:
        for number in range(args.passes):
            if args.passes > 1:
                log(f"pass {number + 1} of {args.passes}")
            for name, path in pages.items():
                cookie = shopper["cookie"] if name in SIGNED_IN_PAGES else ""
                measured = page_measure(name, path, wrk=wrk, args=args, access_log=access_log, cookie=cookie)
                passes[name].append(measured)
    finally:
        server_stop(server)
    results = [sorted(runs, key=lambda r: r.throughput)[len(runs) // 2] for runs in passes.values()]
    minimal = next(r for r in results if r.name == "minimal")
    for r in results:
        r.ratio_to_minimal = round(r.throughput / minimal.throughput, 2) if minimal.throughput else None
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}",
        "products": args.products,
        "workers": args.workers,
        "connections": args.connections,
        "threads": args.threads,
        "duration": args.duration,
        "warmup": args.warmup,
        "passes": args.passes,
        "seconds_total": round(time.monotonic() - started, 1),
    }
    meta["targets"] = targets_check(results)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(
        json.dumps({"meta": meta, "pages": [asdict(r) for r in results]}, indent=2) + "\n"
    )
    table = markdown_table(results, meta)
    (args.output / "results.md").write_text(table)
    print()
    print(table)
    log(f"done in {meta['seconds_total']} s; results in {args.output / 'results.json'} and results.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
