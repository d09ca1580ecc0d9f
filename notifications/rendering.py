"""A kind and its context made into a message: subject, text, HTML and the
in-site title, in the shop's branded layout (``notifications/email/base``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static

from notifications.kinds import Kind
from shop.sites import shop_url


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    title: str  # the in-site notice's title; empty when the kind leaves none


def layout_context() -> dict[str, Any]:
    """What the branded layout shows on every message."""
    return {
        "shop_name": settings.SHOP_NAME,
        "shop_home": shop_url("/"),
        # As on invoices: SHOP_ADDRESS's lines are split on ";".
        "shop_address": [line.strip() for line in settings.SHOP_ADDRESS.split(";") if line.strip()],
        "logo_url": settings.EMAIL_LOGO_URL or shop_url(static("img/logo.png")),
        "account_url": shop_url("/accounts/profile/"),
        "orders_url": shop_url("/orders/"),
    }


def render(kind: Kind, context: Mapping[str, Any], params: Mapping[str, Any]) -> Rendered:
    """The message of ``kind``; ``params`` fill the subject's, title's and
    texts' placeholders (``shop`` is always there)."""
    values = {"shop": settings.SHOP_NAME, **params}
    full = {**layout_context(), **context, **{name: str(text) % values for name, text in kind.texts.items()}}
    if kind.allauth:
        return _render_allauth(kind, full)
    subject = str(kind.subject) % values
    return Rendered(
        subject=" ".join(subject.split())[:998],
        text=render_to_string(f"{kind.template}.txt", full).strip() + "\n",
        html=render_to_string(f"{kind.template}.html", {**full, "subject": subject}),
        title=str(kind.site_title) % values if kind.site_title else "",
    )


def _render_allauth(kind: Kind, context: dict[str, Any]) -> Rendered:
    """As allauth renders its emails (``<prefix>_subject.txt`` and
    ``<prefix>_message.txt``, which extend the shop's text layout), with an
    HTML twin showing the same content, its links made clickable."""
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(
        render_to_string(f"{kind.template}_subject.txt", context).split()
    )
    text = render_to_string(
        f"{kind.template}_message.txt", {**context, "email_layout": "notifications/email/base.txt"}
    )
    content = render_to_string(
        f"{kind.template}_message.txt", {**context, "email_layout": "account/email/content_only.txt"}
    )
    headline = subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    html = render_to_string(
        "notifications/email/account.html",
        {**context, "headline": headline, "subject": subject, "content": content.strip()},
    )
    return Rendered(subject=subject[:998], text=text.strip() + "\n", html=html, title="")
