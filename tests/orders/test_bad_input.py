"""Bad input to every order page and staff action is a clear answer (a form
error, a message, a 4xx), never a 500, and changes nothing."""

import pytest
from django.urls import reverse

from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.models import Order, Return
from tests.factories import UserFactory
from tests.orders.staff_helpers import line_ids, paid_order, payment_of

pytestmark = pytest.mark.django_db

ODD = ["-1", "abc", "1e9", "99999999999999999999", "", " ", "1.5", "<script>", "\x00"]


@pytest.mark.parametrize(
    "query",
    ["?page=-1", "?page=abc", "?page=99999", "?status=<b>", "?status=paid&page=0", "?page=" + "9" * 400],
)
def test_the_history_takes_any_query(client, query):
    client.force_login(UserFactory.create())

    assert client.get(reverse("orders:history") + query).status_code == 200


@pytest.mark.parametrize(
    ("number", "status"), [("x" * 300, 404), ("7KQ2-M9XP-A4DE", 404), ("%00", 400), ("a%00b", 400)]
)
def test_an_odd_order_number_is_a_4xx(client, number, status):
    client.force_login(UserFactory.create())

    for tail in ("", "invoice/", "returns/new/", "cancel/"):
        assert client.get(f"/orders/{number}/{tail}").status_code == status
    assert client.get(f"/checkout/complete/{number}/").status_code == status


def test_a_nul_in_the_query_is_a_400_with_the_shops_page(client):
    response = client.get("/products/?q=lamp%00")

    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


@pytest.mark.parametrize("value", ODD)
def test_odd_return_quantities_are_form_errors(client, value):
    user = UserFactory.create()
    order, _variants = paid_order(1, user=user)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    client.force_login(user)
    (line,) = line_ids(order)

    response = client.post(
        reverse("orders:return_new", kwargs={"number": order.number}),
        {f"line_{line}": value, "reason": "x" * 5000},
    )

    assert response.status_code in (400, 200)
    assert not Return.objects.exists()


@pytest.mark.parametrize("value", ["x" * 500, "", "\x00", "<script>alert(1)</script>"])
def test_odd_tracking_input_is_answered(client, value):
    response = client.post(reverse("orders:track"), {"number": value, "email": value})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("quantity", "amount"), [(odd, odd if odd != "1.5" else "0.001") for odd in ODD] + [("0", "0")]
)
def test_odd_staff_quantities_and_amounts_are_messages(staff_client, quantity, amount):
    order, _variants = paid_order(2)
    (line,) = line_ids(order)
    ship = reverse("admin:orders_order_action", args=(order.pk, "ship"))
    refund = reverse("admin:orders_order_action", args=(order.pk, "refund"))

    shipped = staff_client.post(ship, {"carrier": "table", f"line_{line}": quantity})
    refunded = staff_client.post(refund, {"amount": amount, "key": "k", "reason": "x"})

    assert shipped.status_code == 200
    assert refunded.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert payment_of(order).refunded_amount == 0


def test_shipping_more_than_was_ordered_is_a_message(staff_client):
    order, _variants = paid_order(2)
    (line,) = line_ids(order)

    response = staff_client.post(
        reverse("admin:orders_order_action", args=(order.pk, "ship")),
        {"carrier": "table", f"line_{line}": "3"},
    )

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 2" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
