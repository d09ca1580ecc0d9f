"""Live notifications across processes, in real Chromium: a shopper keeps
their order page and their notification centre open on a shop served by
uvicorn with two worker processes; staff ship the order in the admin on
another uvicorn process; the shopper's header count and list follow within
two seconds, without a reload. Then the centre at a phone's and a desktop's
width, with screenshots."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from accounts.models import User
from notifications.models import Notification
from tests.browser.conftest import open_tab
from tests.factories import UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
SHOPPER = "grace@example.com"
WITHIN_MS = 2000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url() -> str:
    """The test database, which this process uses, for the servers."""
    db = settings.DATABASES["default"]
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def uvicorn() -> Iterator[Callable[[int], str]]:
    """Start ``uvicorn shop.asgi:application --workers N`` on a free port
    against the test database and Redis; returns its base URL."""
    started: list[subprocess.Popen[bytes]] = []
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        ADMIN_REQUIRE_MFA="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )

    def start(workers: int) -> str:
        port = _free_port()
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "shop.asgi:application", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(workers), "--timeout-graceful-shutdown", "1"),
                *("--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=5)
                return base
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not answer at {base}")
                time.sleep(0.2)

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)  # uvicorn and its workers, by the group we started
        process.wait(timeout=15)


def _sign_in(context: BrowserContext, base: str, user: User) -> None:
    """The browser gets a session made here (the servers read it from the
    database and Redis): no login form, which other tests cover."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def test_staff_ship_and_the_shoppers_open_pages_follow_within_two_seconds(
    browser: Browser, uvicorn: Callable[[int], str], settings: Any
) -> None:
    shopper = UserFactory.create(email=SHOPPER, first_name="Grace")
    staff = UserFactory.create(email="boss@example.com", is_staff=True, is_superuser=True)
    order = paid_order(user=shopper, email=SHOPPER)
    assert Notification.objects.filter(user=shopper).exclude(title="").count() == 1  # "is paid"
    shop = uvicorn(2)  # the shopper's pages, held open on two worker processes
    back_office = uvicorn(1)  # staff on another process

    with (
        open_tab(browser, "desktop") as order_tab,
        open_tab(browser, "desktop") as staff_tab,
    ):
        _sign_in(order_tab.page.context, shop, shopper)
        _sign_in(staff_tab.page.context, back_office, staff)
        order_page = order_tab.page
        centre = order_page.context.new_page()
        order_page.goto(f"{shop}{order.get_absolute_url()}")
        expect(order_page.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
        centre.goto(f"{shop}/notifications/")
        expect(centre.get_by_role("heading", level=1)).to_have_text("Notifications")
        for page in (order_page, centre):
            expect(page.locator("[data-notices-count]")).to_have_text("1")
            expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
        expect(centre.locator("[data-notice-id]")).to_have_count(1)
        order_page.wait_for_timeout(500)  # both streams connected

        staff_page = staff_tab.page
        staff_page.goto(f"{back_office}{reverse('admin:orders_order_action', args=(order.pk, 'ship'))}")
        staff_page.get_by_role("combobox", name="carrier").select_option("table")
        staff_page.get_by_role("textbox", name="tracking number").fill("1Z-LIVE")
        shipped_at = time.monotonic()
        staff_page.get_by_role("button", name="Mark shipped").click()
        expect(staff_page.locator(".messagelist")).to_contain_text("recorded")

        expect(order_page.locator("[data-notices-count]")).to_have_text("2", timeout=WITHIN_MS)
        badge_seconds = time.monotonic() - shipped_at
        expect(order_page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
        expect(centre.locator("[data-notices-count]")).to_have_text("2", timeout=WITHIN_MS)
        newest = centre.locator("[data-notice-id]").first
        expect(newest).to_contain_text(f"Your order {order.number} is on its way", timeout=WITHIN_MS)
        list_seconds = time.monotonic() - shipped_at
        expect(centre.locator("[data-notice-id]")).to_have_count(2)
        expect(newest.get_by_text("Unread")).to_be_visible()
        took = f"badge {badge_seconds:.2f} s, list {list_seconds:.2f} s"
        print(f"\nfrom the click on Mark shipped (its POST included): {took}")

        # Opening it marks it read and lands on the order.
        newest.get_by_role("link").click()
        expect(centre.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
        expect(centre.locator("[data-notices-count]")).to_have_text("1")
        assert order_tab.problems == []
        assert staff_tab.problems == []


@pytest.mark.parametrize(("viewport", "width"), [("phone", 390), ("desktop", 1366)])
def test_the_centre_at_a_phone_and_a_desktop_width(
    browser: Browser, uvicorn: Callable[[int], str], viewport: str, width: int
) -> None:
    shopper = UserFactory.create(email=SHOPPER)
    for _ in range(3):
        paid_order(user=shopper, email=SHOPPER)
    oldest = Notification.objects.filter(user=shopper).earliest("pk")
    Notification.objects.filter(pk=oldest.pk).update(read_at=timezone.now())
    shop = uvicorn(1)
    with open_tab(browser, viewport) as tab:
        tab.page.set_viewport_size({"width": width, "height": 844 if viewport == "phone" else 800})
        _sign_in(tab.page.context, shop, shopper)
        tab.page.goto(f"{shop}/notifications/")
        expect(tab.page.get_by_role("heading", level=1)).to_have_text("Notifications")
        expect(tab.page.locator(".notice-unread")).to_have_count(2)
        expect(tab.page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
        tab.screenshot(f"notifications-centre-{width}")
        tab.page.get_by_role("button", name="Mark all read").click()
        expect(tab.page.get_by_role("status")).to_contain_text("All notifications are marked read.")
        expect(tab.page.locator(".notice-unread")).to_have_count(0)
        expect(tab.page.get_by_role("link", name="Notifications, none unread")).to_be_visible()
        tab.screenshot(f"notifications-centre-{width}-read")
        assert tab.problems == []
