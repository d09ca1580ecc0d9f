"""/track/: a guest finds an order by number and email; a wrong pair gets
the same answer whichever half is wrong; ten tries per address in ten
minutes, then a 429."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from orders.sessions import SESSION_ORDERS
from tests.orders.account_helpers import paid_order

pytestmark = pytest.mark.django_db

URL = reverse("orders:track")
PROXY = "10.0.0.2"


def _page(response) -> str:
    """The page without what differs per request (the CSRF token) or echoes the input."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'(name="(number|email)"[^>]*?) value="[^"]*"', r"\1", html)


def test_the_right_pair_opens_the_order_page(client):
    order = paid_order(email="Ada@Example.com")

    response = client.post(URL, {"number": order.number.lower(), "email": "ada@example.com"})

    assert response.status_code == 303
    assert response["Location"] == order.get_absolute_url()
    assert order.number in client.session[SESSION_ORDERS]
    assert client.get(order.get_absolute_url()).status_code == 200


def test_a_wrong_number_and_a_wrong_email_get_the_identical_answer(client):
    order = paid_order(email="ada@example.com")

    wrong_number = client.post(URL, {"number": "AAAA-BBBB-CCCC", "email": "ada@example.com"})
    wrong_email = client.post(URL, {"number": order.number, "email": "eve@example.com"})

    assert wrong_number.status_code == wrong_email.status_code == 200
    assert "We could not find an order with this number and email address." in wrong_number.content.decode()
    assert _page(wrong_number) == _page(wrong_email)
    assert SESSION_ORDERS not in client.session


def test_the_eleventh_try_is_refused_with_429(client):
    order = paid_order()
    for _ in range(10):
        assert client.post(URL, {"number": "AAAA-BBBB-CCCC", "email": "x@example.com"}).status_code == 200

    refused = client.post(URL, {"number": order.number, "email": order.email})

    assert refused.status_code == 429
    assert SESSION_ORDERS not in client.session


def test_the_form_page_shows(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Order number" in response.content.decode()


def test_behind_the_proxy_each_client_has_its_own_ten_tries(client, settings):
    """One TLS proxy in front (ALLAUTH_TRUSTED_PROXY_COUNT=1): every request
    comes from the proxy's address; the proxy appends the client's to
    X-Forwarded-For, after whatever the client claimed there itself."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    order = paid_order()
    for n in range(10):
        forged = {"X-Forwarded-For": f"192.0.2.{n}, 198.51.100.1"}  # a new claim each time
        assert (
            client.post(URL, {"number": "AAAA-BBBB-CCCC"}, headers=forged, REMOTE_ADDR=PROXY).status_code
            == 200
        )

    refused = client.post(
        URL, {"number": "AAAA-BBBB-CCCC"}, headers={"X-Forwarded-For": "198.51.100.1"}, REMOTE_ADDR=PROXY
    )
    other = Client().post(
        URL,
        {"number": order.number, "email": order.email},
        headers={"X-Forwarded-For": "198.51.100.2"},
        REMOTE_ADDR=PROXY,
    )

    assert refused.status_code == 429
    assert other.status_code == 303
