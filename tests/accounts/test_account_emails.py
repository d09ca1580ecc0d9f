"""allauth's emails (verification, password reset, security notices) in the
shop's branded layout, in text and HTML, with the shop's name and address:
none names example.com."""

import re

import pytest
from django.core import mail
from django.test import Client

from shop.sites import site_update_from_settings
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# The branded layout of every email (notifications/email/base.html and .txt):
# the shop's name and address above, links to the shop and the account below.
TEXT_FOOTER = (
    "\n\n-- \nShop · https://shop.example.org/\nYour account: https://shop.example.org/accounts/profile/\n"
)
HTML_HOME = '<a href="https://shop.example.org/" style="color: #ffffff; text-decoration: none;'
HTML_FOOTER = '<a href="https://shop.example.org/accounts/profile/" style="color: #1f4e79;">Your account</a>'
HTML_END = "</html>\n"


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
        f"To confirm this is correct, go to {link.group()}"
        f"{TEXT_FOOTER}"
    )
    html = _html(message)
    assert "<title>[Shop] Please Confirm Your Email Address</title>" in html
    assert HTML_HOME in html
    assert HTML_FOOTER in html
    assert '16px;">Please Confirm Your Email Address</h1>' in html
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
    assert message.body.endswith(f"{link.group()}{TEXT_FOOTER}")
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
    assert message.body.endswith(TEXT_FOOTER)
    html = _html(message)
    assert "Browser: &lt;b&gt;Evil&lt;/b&gt; &amp; co" in html
    assert "<b>" not in html
    assert html.endswith(HTML_END)
