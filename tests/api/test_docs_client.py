"""The Python client in docs/api.md, run as written against a live server:
a token, a cart, a German address, shipping, an order placed and paid with
the test gateway."""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from api.scopes import CART_WRITE, ORDERS_WRITE, READ
from api.tokens import access_token_create
from orders.models import Order
from tests.factories import UserFactory
from tests.orders.factories import germany, stocked_variants

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _example() -> dict[str, Any]:
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert code is not None, "docs/api.md has no Python example"
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # noqa: S102 -- our own documentation
    return namespace


def test_the_documented_client_places_and_pays_an_order(live_server, settings):
    settings.PAYMENT_GATEWAY = "test"
    germany(price=Decimal("4.90"))
    (lamp,) = stocked_variants(5, price=Decimal("10.00"))
    buyer = UserFactory.create(email="script@example.com")
    token = access_token_create(user=buyer, name="docs", scopes=[READ, CART_WRITE, ORDERS_WRITE]).key

    order = _example()["place_order"](live_server.url, token, lamp.pk, 2)

    assert order["status"] == "paid"
    assert order["total"] == {"amount": "24.90", "currency": "EUR"}
    placed = Order.objects.get()
    assert (placed.number, placed.email, placed.status) == (order["number"], "script@example.com", "paid")
