"""EMAIL_URL configures a real SMTP mailer: a mail reaches a local SMTP sink."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core import mail

from shop.settings import _mailer_from_url


class Sink(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list = []

    def handle_message(self, message) -> None:
        self.received.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink, port = Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def test_email_url_sends_through_smtp(settings, smtp_sink):
    sink, port = smtp_sink
    settings.MAILERS = {"default": _mailer_from_url(f"smtp://127.0.0.1:{port}")}

    sent = mail.send_mail("Your order", "Thank you.", "Shop <shop@example.com>", ["ada@example.com"])

    assert sent == 1
    (message,) = sink.received
    assert (message["Subject"], message["To"], message["From"]) == (
        "Your order",
        "ada@example.com",
        "Shop <shop@example.com>",
    )
    assert message.get_payload().strip() == "Thank you."


def test_email_url_forms():
    assert _mailer_from_url("consolemail://") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend",
        "OPTIONS": {},
    }
    assert _mailer_from_url("smtp+tls://shop:secret@smtp.example.com:587") == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 587,
            "username": "shop",
            "password": "secret",
            "use_tls": True,
        },
    }
