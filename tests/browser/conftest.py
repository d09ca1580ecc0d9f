"""Playwright fixtures: Debian's Chromium, one page per viewport, and a record
of every console error and Content-Security-Policy violation on that page."""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message as MimeMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in the test's thread; Django would
# otherwise refuse the database calls the test and its fixtures make there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
# The page reports what the browser blocked; the console shows it too, but
# this event names the directive.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


@dataclass
class Tab:
    """A page at one viewport, its problems, and where its screenshots go."""

    page: Page
    viewport: str
    problems: list[str] = field(default_factory=list)

    def screenshot(self, step: str) -> Path:
        path = SCREENSHOTS / self.viewport / f"{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@contextmanager
def open_tab(browser: Browser, viewport: str, **options: Any) -> Iterator[Tab]:
    """A new browser context (its own cookies: another person) with one page
    at ``viewport``, recording console errors and CSP violations; ``options``
    go to the context."""
    context = browser.new_context(**VIEWPORTS[viewport], **options, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    tab = Tab(page=page, viewport=viewport)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.problems.append(f"{page.url}: {error}"))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(params=list(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Tab]:
    with open_tab(browser, request.param) as tab:
        yield tab


class Sink(Message):
    """A local SMTP server's inbox (aiosmtpd): every message as MIME."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[MimeMessage] = []

    def handle_message(self, message: MimeMessage) -> None:
        self.received.append(message)


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    """Email goes by SMTP to a local server on a free port, for real."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    yield sink
    controller.stop()
