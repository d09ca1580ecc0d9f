"""Every checkout page stays within 15 SQL queries (16 for a customer, whose
header counts their unread notifications), with one line in the
cart and with ten (SAVEPOINTs count too): the lines are loaded in a constant
number of queries, the order of the payment step is found again rather than
placed twice, and the session and cache spare the rest."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from orders.models import Order
from tests.factories import AddressFactory, UserFactory
from tests.orders.factories import cart_of, germany, option_id, stocked_variants
from tests.orders.test_checkout_views import ADDRESS_POST, CARD, browser, signed_in

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
# A signed-in customer's header shows their unread notifications: one COUNT.
SIGNED_IN_EXTRA = 1


def _shopper(who: str, count: int) -> Client:
    """A guest or a customer (two address book entries) with ``count``
    lines of two units in the cart."""
    variants = stocked_variants(*([5] * count), price=Decimal("12.50"))
    lines = [(variant, 2) for variant in variants]
    if who == "guest":
        return browser(cart_of(*lines))
    user = UserFactory.create()
    AddressFactory.create(user=user, is_default_shipping=True)
    AddressFactory.create(user=user, street_address_1="Friedrichstr. 2")
    cart_of(*lines, user=user)
    return signed_in(user)


def _walk(client: Client, *, guest: bool) -> dict[str, Callable[[], Any]]:
    """The steps in order: each entry loads its page, then answers it."""
    method = germany()
    return {
        "contact": lambda: client.post("/checkout/", {"email": "ada@example.com"}) if guest else None,
        "address": lambda: client.post("/checkout/address/", ADDRESS_POST),
        "shipping": lambda: client.post("/checkout/shipping/", {"option": option_id(method)}),
    }


@pytest.mark.parametrize("count", [1, 10], ids=["1 line", "10 lines"])
@pytest.mark.parametrize("who", ["guest", "customer"])
def test_every_checkout_page_stays_within_the_query_budget(
    who, count, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = _shopper(who, count)
    budget = MAX_QUERIES + (SIGNED_IN_EXTRA if who == "customer" else 0)
    pages = {
        "contact": "/checkout/" if who == "guest" else None,
        "address": "/checkout/address/",
        "shipping": "/checkout/shipping/",
    }
    for step, answer in _walk(client, guest=who == "guest").items():
        url = pages[step]
        if url is not None:
            with django_assert_max_num_queries(budget):
                assert client.get(url).status_code == 200
        response = answer()
        assert response is None or response.status_code == 303, step

    for _visit in range(2):  # the first visit after placing, then a reload
        with django_assert_max_num_queries(budget):
            page = client.get("/checkout/payment/")
        assert page.status_code == 200
    order = page.context["order"]

    client.post("/checkout/payment/", {"number": "4000 0025 0000 3155", **CARD, "order": order.number})
    with django_assert_max_num_queries(budget):
        assert client.get("/checkout/payment/authenticate/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/checkout/payment/authenticate/", {"approve": "1"})
    assert Order.objects.get().status == Order.Status.PAID

    with django_assert_max_num_queries(budget):
        assert client.get(f"/checkout/complete/{order.number}/").status_code == 200
    with django_assert_max_num_queries(budget):
        assert client.get(order.get_absolute_url()).status_code == 200
