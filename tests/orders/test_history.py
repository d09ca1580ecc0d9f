"""/orders/: a signed-in customer's orders, newest first, 20 a page, by
status, in a constant number of queries; guests are asked to log in."""

import pytest
from django.urls import reverse

from orders.models import Order
from tests.factories import UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = pytest.mark.django_db

URL = reverse("orders:history")


def _orders(user, count):
    """``count`` orders of ``user`` (copies of one placed order: fast)."""
    first = paid_order(user=user)
    Order.objects.bulk_create(
        Order(
            **{
                f.name: getattr(first, f.name)
                for f in Order._meta.concrete_fields
                if f.name not in ("id", "number")
            },
            number=f"COPY-{n:04d}",
        )
        for n in range(count - 1)
    )
    return first


def test_guests_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("count", [1, 25])
def test_the_history_takes_at_most_six_queries_whatever_the_number_of_orders(
    client, django_assert_max_num_queries, count
):
    user = UserFactory.create()
    _orders(user, count)
    client.force_login(user)

    with django_assert_max_num_queries(6):
        response = client.get(URL)

    assert response.status_code == 200
    assert len(response.context["orders"]) == min(count, 20)


def test_the_history_is_paginated_by_twenty_and_shows_only_the_customers_orders(client):
    user = UserFactory.create()
    first = _orders(user, 25)
    stranger = paid_order(user=UserFactory.create(), email="eve@example.com")
    client.force_login(user)

    page1 = client.get(URL)
    page2 = client.get(URL, {"page": 2})

    assert len(page1.context["orders"]) == 20
    assert len(page2.context["orders"]) == 5
    numbers = {o.number for o in page1.context["orders"]} | {o.number for o in page2.context["orders"]}
    assert first.number in numbers
    assert stranger.number not in numbers
    assert first.number in (page1.content + page2.content).decode()


def test_the_status_filter_shows_only_that_status(client):
    user = UserFactory.create()
    paid = paid_order(user=user)
    cancelled = paid_order(user=user)
    Order.objects.filter(pk=cancelled.pk).update(status=Order.Status.CANCELLED)
    client.force_login(user)

    response = client.get(URL, {"status": "cancelled"})

    assert [o.number for o in response.context["orders"]] == [cancelled.number]
    assert paid.number not in response.content.decode()
    everything = client.get(URL, {"status": "nonsense"})
    assert len(everything.context["orders"]) == 2
