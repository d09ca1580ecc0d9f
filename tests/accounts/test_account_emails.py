"""allauth's emails (verification, password reset, security notices) in the
order emails' layout, in text and HTML, with the shop's name and address:
none names example.com."""

import re

import pytest
from django.core import mail
from django.test import Client

from shop.sites import site_update_from_settings
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# The layout of every email of the shop (templates/shop/email/base.html).
HTML_HEAD = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>'
BODY = '<body style="font-family: system-ui, sans-serif; color: #1f2933; max-width: 40rem; margin: 0 auto; padding: 1rem;">'  # noqa: E501
HTML_END = "  <p>Shop</p>\n</body></html>\n"


@pytest.fixture(autouse=True)
def _shop_address(settings) -> None:
    """The site as `migrate` leaves it for this SHOP_URL."""
    settings.SHOP_URL = "https://shop.example.org"
    site_update_from_settings()


def _html(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_the_verification_email_names_the_shop_in_text_and_html(client):
    client.post("/accounts/signup/", {"email": "ada@lamp.test", "password1": DEFAULT_PASSWORD})

    (message,) = mail.outbox
    link = re.search(r"http://testserver/accounts/confirm-email/\S+/", str(message.body))
    assert link is not None
    assert message.subject == "[Shop] Please Confirm Your Email Address"
    assert message.body == (
        "You're receiving this email because user ada@lamp.test has given your email address to register "
        "an account on shop.example.org.\n\n"
        f"To confirm this is correct, go to {link.group()}\n\n"
        "Shop"
    )
    html = _html(message)
    assert html.startswith(f"{HTML_HEAD}Please Confirm Your Email Address</title></head>\n{BODY}\n")
    assert '<h1 style="font-size: 1.4rem;">Please Confirm Your Email Address</h1>' in html
    assert f'<a href="{link.group()}" rel="nofollow">{link.group()}</a>' in html
    assert html.endswith(HTML_END)
    assert "example.com" not in message.body + html


def test_the_password_reset_email_has_its_link_in_text_and_html(client):
    UserFactory.create(email="ada@lamp.test")

    client.post("/accounts/password/reset/", {"email": "ada@lamp.test"})

    (message,) = mail.outbox
    link = re.search(r"http://testserver/accounts/password/reset/key/\S+/", str(message.body))
    assert link is not None
    assert message.subject == "[Shop] Password Reset Email"
    assert message.body.endswith(f"{link.group()}\n\nShop")
    html = _html(message)
    assert f'<a href="{link.group()}" rel="nofollow">{link.group()}</a>' in html
    assert html.endswith(HTML_END)
    assert "example.com" not in message.body + html


def test_a_security_notice_escapes_what_the_browser_sent(settings):
    UserFactory.create(email="ada@lamp.test")
    client = Client(headers={"User-Agent": "<b>Evil</b> & co"})
    client.post("/accounts/login/", {"login": "ada@lamp.test", "password": DEFAULT_PASSWORD})

    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "a brand new secret",
            "password2": "a brand new secret",
        },
    )

    (message,) = mail.outbox
    assert message.subject == "[Shop] Password Changed"
    assert "- Browser: <b>Evil</b> & co" in message.body
    assert message.body.endswith("\n\nShop")
    html = _html(message)
    assert "Browser: &lt;b&gt;Evil&lt;/b&gt; &amp; co" in html
    assert "<b>" not in html
    assert html.endswith(HTML_END)
