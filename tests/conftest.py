"""Shared fixtures. Tests needing PostgreSQL, Redis, Chromium or localstripe carry a marker;
without the service they are skipped with a reason, unless REQUIRE_SERVICES
is set (CI), where a missing service fails the run instead."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings

from shop.celery import app as celery_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LOCALSTRIPE = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))
REQUIRE_SERVICES = bool(os.environ.get("REQUIRE_SERVICES"))
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
PRODUCTION_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns on every request when STATIC_ROOT does not exist yet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def _missing(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (running on SQLite)"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis (REDIS_URL is not set)"
    if marker == "browser" and not (os.access(CHROMIUM, os.X_OK) or shutil.which("chromium")):
        return f"needs Chromium at {CHROMIUM}"
    if marker == "localstripe" and not os.access(LOCALSTRIPE, os.X_OK):
        return "needs localstripe (pip install localstripe)"
    if marker == "axe" and not AXE.exists():
        return "needs axe-core (npm ci)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in ("postgres", "redis", "browser", "localstripe", "axe"):
            if item.get_closest_marker(marker) and (reason := _missing(marker)):
                if REQUIRE_SERVICES:
                    raise pytest.UsageError(f"{item.nodeid}: {reason}, and services are required")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    """Celery tasks run in the test's thread, also when Redis is configured."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(scope="session")
def _localstripe_server() -> Iterator[str]:
    """localstripe (a stateful fake Stripe server from PyPI) on a free port,
    with an empty store, for the whole session."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [LOCALSTRIPE, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{base}/js.stripe.com/v3/", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"localstripe did not start on port {port}")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def localstripe(_localstripe_server: str, settings: Settings) -> str:
    """The Stripe gateway, pointed at the session's localstripe; returns its
    base URL (its fake Stripe.js is at ``<base>/js.stripe.com/v3/``)."""
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_API_BASE = _localstripe_server
    settings.STRIPE_JS_URL = f"{_localstripe_server}/js.stripe.com/v3/"
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_localstripe"
    # localstripe predates allowed_payment_method_types; cards are all it knows.
    settings.STRIPE_PAYMENT_METHOD_TYPES = []
    return _localstripe_server


@pytest.fixture
def staff_client(settings: Settings) -> Client:
    """A superuser's client for the admin, with the staff MFA rule off (it
    has its own tests in tests/accounts/test_mfa.py)."""
    from tests.factories import UserFactory

    settings.ADMIN_REQUIRE_MFA = False
    client = Client()
    client.force_login(UserFactory.create(email="boss@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture(autouse=True)
def _isolated(settings: Settings) -> Iterator[None]:
    """Every test starts with an empty cache (rate limits live there), an
    empty outbox, and a fast password hasher (Argon2 is tested on its own).
    Email goes through django-anymail's test backend, as production's goes
    through anymail to an ESP: messages land in ``mail.outbox`` after anymail
    has checked and normalised them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend", "OPTIONS": {}}}
    # Pages are asserted as built; the page cache has its own tests.
    settings.CATALOG_PAGE_CACHE_SECONDS = 0
    settings.CATALOG_CARD_CACHE_SECONDS = 0
    cache.clear()
    mail.outbox = []
    yield
    cache.clear()
