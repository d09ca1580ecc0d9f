"""What the console log (settings.LOGGING) says about requests: an expected
4xx is one line without a traceback; a server error keeps its traceback."""

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes, while the test runs."""
    handler = logging.getHandlerByName("console")
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    before = handler.setStream(written)
    yield written
    handler.setStream(before)


def test_a_nul_in_the_url_is_one_line_without_traceback(client, console, caplog):
    response = client.get("/orders/%00/")

    assert response.status_code == 400
    assert console.getvalue() == "NUL character in the address: /orders/\\x00/\n"
    assert [(r.name, r.levelname) for r in caplog.records] == [("django.request", "WARNING")]


def test_a_customer_on_the_admin_login_is_one_line_without_traceback(client, console):
    client.force_login(UserFactory.create())

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 403
    assert console.getvalue() == "Forbidden (Permission denied): /admin/login/\n"


def test_a_foreign_host_header_is_one_line_without_traceback(console):
    response = Client(HTTP_HOST="evil.example").get("/")

    assert response.status_code == 400
    assert console.getvalue().count("\n") == 1
    assert console.getvalue().startswith("Invalid HTTP_HOST header: 'evil.example'.")


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("the database vanished")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /", exc_info=True, extra={"status_code": 500}
        )

    assert console.getvalue().startswith("Internal Server Error: /\nTraceback (most recent call last):")
    assert console.getvalue().rstrip().endswith("RuntimeError: the database vanished")
