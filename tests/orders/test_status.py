"""The status machine of ARCHITECTURE.md: every move it allows is made by
``order_transition`` with an event; every other move is an
``OrderStateError`` with a clear message, and nothing changes."""

from itertools import product

import pytest

from orders.lifecycle.transitions import OrderStateError, order_transition
from orders.models import Order, OrderEvent
from orders.status import ALLOWED, can_move
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Order.Status
EXPECTED = {
    (S.PENDING_PAYMENT, S.PAID),
    (S.PENDING_PAYMENT, S.PAYMENT_FAILED),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.PAYMENT_FAILED, S.PAID),
    (S.PAYMENT_FAILED, S.CANCELLED),
    (S.PAID, S.PARTIALLY_SHIPPED),
    (S.PAID, S.SHIPPED),
    (S.PAID, S.CANCELLED),
    (S.PARTIALLY_SHIPPED, S.SHIPPED),
    (S.SHIPPED, S.DELIVERED),
    (S.DELIVERED, S.COMPLETED),
}
ALL_MOVES = sorted(product(S.values, S.values))


def _order(status: str) -> Order:
    return Order.objects.create(
        number=f"TEST-{status[:9]}",
        email="ada@example.com",
        status=status,
        currency="EUR",
        prices_include_tax=True,
        subtotal=10,
        discount_total=0,
        shipping_price=0,
        tax_total=0,
        total=10,
    )


def test_the_machine_is_the_one_of_the_architecture():
    allowed = {(current, to) for current, targets in ALLOWED.items() for to in targets}

    assert allowed == EXPECTED
    assert set(ALLOWED) == set(S.values)


@pytest.mark.parametrize(("current", "to"), sorted(EXPECTED))
def test_an_allowed_move_changes_the_status_and_writes_who_when_from_and_to(current, to):
    order = _order(current)
    staff = UserFactory.create(is_staff=True)

    order_transition(order=order, to=to, by=staff, note="Because.")

    order.refresh_from_db()
    assert order.status == to
    event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status, event.by, event.note) == (current, to, staff, "Because.")
    assert event.created_at is not None


@pytest.mark.parametrize(("current", "to"), [move for move in ALL_MOVES if move not in EXPECTED])
def test_a_move_the_machine_refuses_is_an_error_and_changes_nothing(current, to):
    order = _order(current)

    with pytest.raises(OrderStateError) as error:
        order_transition(order=order, to=to)

    assert not can_move(current, to)
    current_label, to_label = S(current).label.lower(), S(to).label.lower()
    assert error.value.message == f"An order that is {current_label} cannot become {to_label}."
    order.refresh_from_db()
    assert order.status == current
    assert not OrderEvent.objects.exists()


def test_shipped_cannot_be_cancelled_with_a_message_a_person_understands():
    order = _order(S.SHIPPED)

    with pytest.raises(OrderStateError, match=r"^An order that is shipped cannot become cancelled\.$"):
        order_transition(order=order, to=S.CANCELLED)


def test_an_unknown_status_is_refused():
    order = _order(S.PAID)

    with pytest.raises(OrderStateError, match=r"^lost is not an order status\.$"):
        order_transition(order=order, to="lost")

    assert not OrderEvent.objects.exists()
