"""Every kind of message, as a mail client receives it: each is owed with its
sample, sent through a local SMTP server (aiosmtpd), and read back as MIME:
a text and an HTML part, every link at the shop's address (or the carrier's
tracking page), no template variable left empty; then each HTML part is
drawn by Chromium at a phone's and a desktop's width
(var/screenshots/<viewport>/email-<kind>.png)."""

import re
from email.message import Message as MimeMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from notifications import preferences
from notifications.kinds import KINDS
from notifications.preferences import email_preference_set
from notifications.services import notification_queue
from tests.browser.conftest import Sink, open_tab

pytestmark = pytest.mark.django_db(transaction=True)

SHOP = "https://shop.example.com"
MARKER = "@@EMPTY:%s@@"
# Links a message may hold that are not the shop's: the carrier's tracking page.
FOREIGN = ("https://www.dhl.de/",)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]


@pytest.fixture
def email_sink(smtp_sink: Sink, settings) -> Sink:
    """The SMTP sink, with the shop's address set and a marker for any
    variable a template names but the context lacks."""
    settings.SHOP_URL = SHOP
    settings.SHOP_ADDRESS = "Lamp & Co GmbH; Hauptstraße 1; 10115 Berlin"
    engines: list[dict[str, Any]] = django_settings.TEMPLATES
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine.get("OPTIONS", {}), "string_if_invalid": MARKER}}
        for engine in engines
    ]
    return smtp_sink


def _parts(message: MimeMessage) -> dict[str, str]:
    assert message.get_content_type() == "multipart/alternative", message["Subject"]
    parts = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return parts


def test_every_kind_arrives_by_smtp_in_text_and_html_with_the_shops_links(email_sink, browser):
    # Ada confirmed she wants marketing email (double opt-in), so every kind reaches her.
    email_preference_set(
        email="ada@example.com", group="marketing", enabled=True, source="test", confirmed=True
    )
    kinds = sorted(KINDS)
    for number, name in enumerate(kinds):
        kind = KINDS[name]
        with transaction.atomic():
            notification_queue(
                kind=name,
                key=f"sample:{number}",
                context=kind.sample,
                params=kind.sample_params,
                email="ada@example.com",
            )

    # Each was sent as its transaction committed (tasks run eagerly here), in order.
    assert len(email_sink.received) == len(kinds)
    htmls = {}
    kind_of = KINDS
    for name, message in zip(kinds, email_sink.received, strict=True):
        assert message["To"] == "ada@example.com"
        assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
        optional = kind_of[name].group in preferences.CHOOSABLE
        assert bool(message["List-Unsubscribe-Post"]) == optional, name
        parts = _parts(message)
        text, html = parts["text/plain"], parts["text/html"]
        for body in (str(message["Subject"]), text, html):
            assert "@@EMPTY" not in body, (name, re.findall(r"@@EMPTY:[^@]*@@", body))
            assert "{'" not in body, (name, "a dict shown as text")
        assert "Lamp &amp; Co GmbH<br>Hauptstraße 1<br>10115 Berlin" in html, name
        assert "Lamp & Co GmbH, Hauptstraße 1, 10115 Berlin" in text, name
        parser = _Links()
        parser.feed(html)
        assert parser.links, name
        strangers = [
            link for link in parser.links if not link.startswith((SHOP, *FOREIGN, "mailto:")) and link
        ]
        assert strangers == [], name
        assert f"{SHOP}/" in text, name
        htmls[name] = html

    for viewport in ("phone", "desktop"):
        with open_tab(browser, viewport) as tab:
            for name, html in htmls.items():
                tab.page.set_content(html)
                tab.screenshot(f"email-{name}")
                width = tab.page.evaluate("document.documentElement.scrollWidth")
                assert width <= tab.page.viewport_size["width"], (name, viewport, width)  # type: ignore[index]
