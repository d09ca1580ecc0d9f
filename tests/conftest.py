"""Shared fixtures. Tests needing PostgreSQL, Redis or Chromium carry a marker;
without the service they are skipped with a reason, unless REQUIRE_SERVICES
is set (CI), where a missing service fails the run instead."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings

from shop.celery import app as celery_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_SERVICES = bool(os.environ.get("REQUIRE_SERVICES"))
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
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in ("postgres", "redis", "browser"):
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
    empty outbox, and a fast password hasher (Argon2 is tested on its own)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages are asserted as built; the page cache has its own tests.
    settings.CATALOG_PAGE_CACHE_SECONDS = 0
    settings.CATALOG_CARD_CACHE_SECONDS = 0
    cache.clear()
    mail.outbox = []
    yield
    cache.clear()
