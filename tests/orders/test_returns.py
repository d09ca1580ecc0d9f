"""Returns: asked for within the window on delivered units only, moved
through requested -> approved | rejected -> received -> refunded with every
other move refused, restocked through the ledger, refunded once; and the
shopper's page, a 404 for anyone else's order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import StockMovement
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.lifecycle.returns import (
    ReturnError,
    orders_complete,
    return_approve,
    return_receive,
    return_refund,
    return_reject,
    return_request,
)
from orders.models import Order, OrderEvent, Return
from orders.selectors import order_returns
from tests.factories import UserFactory
from tests.orders.factories import assert_ledger_balances
from tests.orders.staff_helpers import line_ids, paid_order, payment_of

pytestmark = pytest.mark.django_db

RS = Return.Status


def _delivered(*quantities: int, user=None) -> Order:
    order, _variants = paid_order(*quantities, user=user)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    order.refresh_from_db()
    return order


def test_a_delivered_order_can_be_returned_in_part_and_gets_numbered_returns():
    order = _delivered(2, 1)
    first, second = line_ids(order)

    one = return_request(order=order, user=None, lines={first: 1}, reason="Too big")
    two = return_request(order=order, user=None, lines={first: 1, second: 1}, reason="Changed my mind")

    assert (one.number, two.number) == (f"{order.number}-R1", f"{order.number}-R2")
    assert one.status == RS.REQUESTED
    assert [
        (r.number, [(rl.order_line_id, rl.quantity) for rl in r.lines.all()])
        for r in order_returns(order=order)
    ] == [
        (two.number, [(first, 1), (second, 1)]),
        (one.number, [(first, 1)]),
    ]
    assert OrderEvent.objects.filter(order=order, note__startswith=f"Return {one.number} requested").exists()


def test_more_than_was_shipped_or_already_asked_back_is_refused():
    order = _delivered(2)
    (line,) = line_ids(order)

    with pytest.raises(ReturnError, match="at most 2 of"):
        return_request(order=order, user=None, lines={line: 3}, reason="x")
    return_request(order=order, user=None, lines={line: 2}, reason="x")
    with pytest.raises(ReturnError, match="at most 0 of"):
        return_request(order=order, user=None, lines={line: 1}, reason="x")


def test_a_rejected_return_frees_its_units_for_another_request():
    order = _delivered(1)
    (line,) = line_ids(order)
    first = return_request(order=order, user=None, lines={line: 1}, reason="x")
    return_reject(return_id=first.pk, by=None, note="Worn")

    again = return_request(order=order, user=None, lines={line: 1}, reason="y")

    assert again.status == RS.REQUESTED


def test_only_shipped_units_within_the_window_can_be_returned(settings):
    settings.RETURN_WINDOW_DAYS = 14
    paid, _variants = paid_order(1)
    with pytest.raises(ReturnError, match="Only an order that has shipped"):
        return_request(order=paid, user=None, lines={line_ids(paid)[0]: 1}, reason="x")
    on_its_way, _variants = paid_order(1, 1)
    first, second = line_ids(on_its_way)
    order_ship(order_id=on_its_way.pk, by=None, carrier="table", lines={first: 1})
    with pytest.raises(ReturnError, match="at most 0"):
        return_request(order=on_its_way, user=None, lines={second: 1}, reason="x")
    assert return_request(order=on_its_way, user=None, lines={first: 1}, reason="x").status == RS.REQUESTED

    late = _delivered(1)
    Order.objects.filter(pk=late.pk).update(delivered_at=timezone.now() - timedelta(days=15))
    with pytest.raises(ReturnError, match="return window of 14 days"):
        return_request(order=late, user=None, lines={line_ids(late)[0]: 1}, reason="x")


def test_no_reason_or_no_units_are_refused():
    order = _delivered(1)
    (line,) = line_ids(order)

    with pytest.raises(ReturnError, match="tell us why"):
        return_request(order=order, user=None, lines={line: 1}, reason="  ")
    with pytest.raises(ReturnError, match="at least one item"):
        return_request(order=order, user=None, lines={line: 0}, reason="x")
    assert not Return.objects.exists()


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ((), "receive"),
        ((), "refund"),
        (("approve",), "approve"),
        (("approve",), "reject"),
        (("approve",), "refund"),
        (("reject",), "approve"),
        (("reject",), "receive"),
        (("approve", "receive"), "reject"),
        (("approve", "receive"), "receive"),
        (("approve", "receive", "refund"), "refund"),
        (("approve", "receive", "refund"), "approve"),
    ],
)
def test_every_move_the_return_machine_refuses_is_an_error(steps, refused):
    order = _delivered(1)
    ret = return_request(order=order, user=None, lines={line_ids(order)[0]: 1}, reason="x")
    moves = {
        "approve": lambda: return_approve(return_id=ret.pk, by=None),
        "reject": lambda: return_reject(return_id=ret.pk, by=None),
        "receive": lambda: return_receive(return_id=ret.pk, by=None, restock=False),
        "refund": lambda: return_refund(return_id=ret.pk, by=None),
    }
    for step in steps:
        moves[step]()
    before = Return.objects.get(pk=ret.pk).status

    with pytest.raises(ReturnError, match=r"A return that is \w+ cannot become \w+\."):
        moves[refused]()

    assert Return.objects.get(pk=ret.pk).status == before


def test_the_whole_way_restocks_on_receipt_and_refunds_the_lines_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    order = _delivered(2, 1)
    first, _second = line_ids(order)
    lamp = order.lines.get(pk=first).variant
    assert lamp is not None
    ret = return_request(order=order, user=None, lines={first: 2}, reason="Broken")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        return_approve(return_id=ret.pk, by=None, note="OK")
        return_receive(return_id=ret.pk, by=None, restock=True)
        ret = return_refund(return_id=ret.pk, by=None)

    assert ret.status == RS.REFUNDED
    assert order.lines.get(pk=first).quantity_returned == 2
    movement = StockMovement.objects.get(variant=lamp, reason=StockMovement.Reason.RETURN)
    assert (movement.on_hand_change, movement.reference) == (2, order.number)
    assert_ledger_balances(lamp)
    payment = payment_of(order)
    assert payment.refunded_amount == Decimal("20.00")
    assert payment.refunds.get().idempotency_key == f"{ret.number}:refund"
    subjects = [mail.subject for mail in mailoutbox]
    assert any("approved" in s for s in subjects)
    assert any(s.endswith(f"Return for order {order.number} refunded") for s in subjects)
    assert not any(s.endswith(f"Refund for order {order.number}") for s in subjects)


def test_receiving_without_restock_writes_no_ledger_row():
    order = _delivered(1)
    (line,) = line_ids(order)
    ret = return_request(order=order, user=None, lines={line: 1}, reason="x")
    return_approve(return_id=ret.pk, by=None)

    return_receive(return_id=ret.pk, by=None, restock=False)

    assert not StockMovement.objects.filter(reason=StockMovement.Reason.RETURN).exists()
    assert order.lines.get().quantity_returned == 1


# --- The shopper's page -----------------------------------------------------------


def test_the_customer_asks_for_a_return_on_the_page(client):
    user = UserFactory.create()
    order = _delivered(2, user=user)
    (line,) = line_ids(order)
    client.force_login(user)
    url = reverse("orders:return_new", kwargs={"number": order.number})

    page = client.get(url)
    response = client.post(url, {f"line_{line}": "1", "reason": "Too small"})

    assert page.status_code == 200
    assert "Ask for a return" in page.content.decode()
    assert response.status_code == 302
    ret = Return.objects.get()
    assert (ret.reason, [(rl.order_line_id, rl.quantity) for rl in ret.lines.all()]) == (
        "Too small",
        [(line, 1)],
    )


def test_a_parcel_on_its_way_can_be_asked_back_and_an_unshipped_order_cannot(client, settings):
    settings.RETURN_WINDOW_DAYS = 30
    user = UserFactory.create()
    shipped, _variants = paid_order(1, user=user)
    order_ship(order_id=shipped.pk, by=None, carrier="table")
    unshipped, _variants = paid_order(1, user=user)
    client.force_login(user)

    on_its_way = client.get(reverse("orders:return_new", kwargs={"number": shipped.number})).content.decode()
    not_yet = client.get(reverse("orders:return_new", kwargs={"number": unshipped.number})).content.decode()

    assert "Your parcel is on its way" in on_its_way
    assert "or up to 30 days after it arrives" in on_its_way
    assert "Ask for a return" in on_its_way
    assert "Ask for a return" not in not_yet
    assert "only items that have shipped can be returned" in not_yet


def test_a_refused_request_shows_the_reason_on_the_page(client):
    user = UserFactory.create()
    order = _delivered(1, user=user)
    (line,) = line_ids(order)
    client.force_login(user)
    url = reverse("orders:return_new", kwargs={"number": order.number})

    response = client.post(url, {f"line_{line}": "0", "reason": "x"})

    assert response.status_code == 400
    assert "Choose at least one item to return." in response.content.decode()


def test_another_users_return_page_is_a_404(client):
    owner, stranger = UserFactory.create(), UserFactory.create()
    order = _delivered(1, user=owner)
    client.force_login(stranger)
    url = reverse("orders:return_new", kwargs={"number": order.number})

    assert client.get(url).status_code == 404
    assert client.post(url, {f"line_{line_ids(order)[0]}": "1", "reason": "x"}).status_code == 404
    assert not Return.objects.exists()


def test_the_order_page_lists_the_orders_returns_with_their_status(client):
    user = UserFactory.create()
    order = _delivered(2, user=user)
    (line,) = line_ids(order)
    ret = return_request(order=order, user=user, lines={line: 1}, reason="Too small")
    return_approve(return_id=ret.pk, by=None)
    client.force_login(user)

    page = client.get(f"/orders/{order.number}/").content.decode()

    assert f"Return {ret.number}" in page
    assert "Approved" in page
    assert "Too small" in page


# --- Completion -----------------------------------------------------------------------


def test_delivered_orders_complete_once_the_window_closed_and_no_return_is_open(settings):
    settings.RETURN_WINDOW_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    quiet, with_open_return, with_settled_return, recent = (_delivered(1) for _ in range(4))
    open_return = return_request(
        order=with_open_return, user=None, lines={line_ids(with_open_return)[0]: 1}, reason="x"
    )
    settled = return_request(
        order=with_settled_return, user=None, lines={line_ids(with_settled_return)[0]: 1}, reason="x"
    )
    return_reject(return_id=settled.pk, by=None)
    Order.objects.exclude(pk=recent.pk).update(delivered_at=long_ago)

    assert orders_complete() == 2
    assert orders_complete() == 0  # nothing twice

    status = dict(Order.objects.values_list("pk", "status"))
    assert status[quiet.pk] == Order.Status.COMPLETED
    assert status[with_settled_return.pk] == Order.Status.COMPLETED
    assert status[with_open_return.pk] == Order.Status.DELIVERED  # waits for staff
    assert status[recent.pk] == Order.Status.DELIVERED
    assert OrderEvent.objects.filter(order=quiet, to_status="completed").count() == 1

    return_reject(return_id=open_return.pk, by=None)
    assert orders_complete() == 1
