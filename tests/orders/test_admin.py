"""The orders admin: the list with its filters, search and CSV export, the
order page, and every action end to end through the staff's client; a
refused action is a message, never a 500."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.models import StockMovement
from notifications.models import Notification
from orders.admin.order_actions import ACTIONS
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.lifecycle.returns import return_request
from orders.models import Order, OrderEvent, Return
from shipping.models import Shipment
from tests.factories import UserFactory
from tests.orders.staff_helpers import line_ids, paid_order, payment_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"


def _action(order: Order, name: str) -> str:
    return reverse("admin:orders_order_action", args=(order.pk, name))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status__exact": "paid"},
        {"payment": "captured"},
        {"country": "DE"},
        {"q": "Lovelace"},
        {"created_at__gte": "2020-01-01 00:00:00+00:00"},  # as the date filter links it
    ],
)
def test_the_list_loads_with_each_filter_and_search(staff_client, query):
    order, _variants = paid_order(1)

    response = staff_client.get(reverse(CHANGELIST), query)

    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_search_and_filters_leave_out_other_orders(staff_client):
    order, _variants = paid_order(1)

    assert order.number not in staff_client.get(reverse(CHANGELIST), {"q": "nobody"}).content.decode()
    assert order.number not in staff_client.get(reverse(CHANGELIST), {"payment": "refunded"}).content.decode()
    assert order.number not in staff_client.get(reverse(CHANGELIST), {"country": "FR"}).content.decode()


def test_the_order_page_shows_lines_events_payments_and_shipments(staff_client):
    order, _variants = paid_order(2)
    staff_client.post(
        _action(order, "ship"),
        {"carrier": "table", "tracking_number": "TRK-5", f"line_{line_ids(order)[0]}": "2"},
    )

    page = staff_client.get(reverse("admin:orders_order_change", args=(order.pk,))).content.decode()

    assert "TRK-5" in page
    assert "Payment confirmed by the gateway." in page
    assert "24.90" in page
    assert _action(order, "refund") in page


def test_mark_shipped_with_lines_and_a_tracking_number(staff_client):
    order, _variants = paid_order(2, 1)
    first, second = line_ids(order)

    form = staff_client.get(_action(order, "ship"))
    response = staff_client.post(
        _action(order, "ship"),
        {"carrier": "table", "tracking_number": "TRK-1", f"line_{first}": "2", f"line_{second}": "0"},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    assert Shipment.objects.get(reference=order.number).tracking_number == "TRK-1"


def test_a_refused_action_is_a_message_on_the_form_not_a_500(staff_client):
    order, _variants = paid_order(1)

    response = staff_client.post(_action(order, "deliver"), {"note": ""}, follow=True)

    assert response.status_code == 200
    assert "An order that is paid cannot become delivered." in response.content.decode()


def test_mark_delivered_cancel_and_note(staff_client):
    shipped, _ = paid_order(1)
    staff_client.post(_action(shipped, "ship"), {"carrier": "table", f"line_{line_ids(shipped)[0]}": "1"})
    staff_client.post(_action(shipped, "deliver"), {"note": "Left at door"})
    paid, _ = paid_order(1)
    staff_client.post(_action(paid, "cancel"), {"note": "Customer called"})
    staff_client.post(_action(paid, "note"), {"note": "Called back"})

    shipped.refresh_from_db()
    paid.refresh_from_db()
    assert shipped.status == Order.Status.DELIVERED
    assert paid.status == Order.Status.CANCELLED
    assert OrderEvent.objects.filter(order=paid, note="Called back").exists()


def test_refund_an_amount_and_refund_lines_with_restock(staff_client):
    order, (variant,) = paid_order(2)
    (line,) = line_ids(order)

    staff_client.post(_action(order, "refund"), {"amount": "4.90", "key": "k1", "reason": "Shipping"})
    staff_client.post(_action(order, "refund"), {f"line_{line}": "1", "restock": "on", "key": "k2"})
    staff_client.post(_action(order, "refund"), {f"line_{line}": "1", "restock": "on", "key": "k2"})  # twice

    assert payment_of(order).refunded_amount == Decimal("14.90")
    assert StockMovement.objects.filter(variant=variant, reason=StockMovement.Reason.RETURN).count() == 1


def test_a_refund_over_the_limit_shows_the_limit(staff_client):
    order, _variants = paid_order(1)

    response = staff_client.post(_action(order, "refund"), {"amount": "100.00", "key": "k"}, follow=True)

    assert "At most EUR 14.90 can still be refunded." in response.content.decode()


def test_bulk_mark_shipped_ships_every_chosen_order_and_reports_the_refused(staff_client):
    one, _ = paid_order(1)
    two, _ = paid_order(2)
    shipped, _ = paid_order(1)
    staff_client.post(_action(shipped, "ship"), {"carrier": "table", f"line_{line_ids(shipped)[0]}": "1"})

    response = staff_client.post(
        reverse(CHANGELIST),
        {"action": "mark_shipped", "_selected_action": [one.pk, two.pk, shipped.pk]},
        follow=True,
    )

    assert {o.status for o in Order.objects.filter(pk__in=[one.pk, two.pk])} == {Order.Status.SHIPPED}
    assert f"{shipped.number}: An order that is shipped cannot be shipped." in response.content.decode()


def test_csv_export_of_the_filtered_list(staff_client):
    one, _ = paid_order(1)
    two, _ = paid_order(2)

    response = staff_client.post(
        reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [one.pk, two.pk]}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["number", "date", "status", "email", "country", "total", "paid_at"]
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows[1:]] == [
        (one.number, "paid", "ada@example.com", "DE", "14.90"),
        (two.number, "paid", "ada@example.com", "DE", "24.90"),
    ]


def _returned() -> tuple[Order, Return]:
    """A delivered order and a return of its line, asked for."""
    order, _variants = paid_order(1)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    order.refresh_from_db()
    return order, return_request(order=order, user=None, lines={line_ids(order)[0]: 1}, reason="Broken")


def test_return_actions_approve_receive_and_refund(staff_client):
    _order, ret = _returned()
    changelist = reverse("admin:orders_return_changelist")

    for action in ("approve", "receive_restock", "refund"):
        staff_client.post(changelist, {"action": action, "_selected_action": [ret.pk]})
    refused = staff_client.post(changelist, {"action": "reject", "_selected_action": [ret.pk]}, follow=True)

    ret.refresh_from_db()
    assert ret.status == Return.Status.REFUNDED
    assert "cannot become rejected" in refused.content.decode()
    assert staff_client.get(changelist).status_code == 200
    assert staff_client.get(reverse("admin:orders_return_change", args=(ret.pk,))).status_code == 200


def test_a_return_page_offers_the_next_actions_and_each_runs_once(staff_client):
    order, ret = _returned()
    page = reverse("admin:orders_return_change", args=(ret.pk,))

    def do(name: str) -> str:
        return reverse("admin:orders_return_action", args=(ret.pk, name))

    offered = staff_client.get(page).content.decode()
    assert do("approve") in offered
    assert do("reject") in offered
    assert do("refund") not in offered
    done = staff_client.post(do("approve"), {"note": "Send it to the warehouse"}, follow=True)
    assert f"Return {ret.number}: Approve done." in done.content.decode()
    assert do("receive_restock") in staff_client.get(page).content.decode()
    refused = staff_client.post(do("refund"), {"note": ""})  # not received yet
    assert refused.status_code == 200
    assert "cannot become refunded" in refused.content.decode()
    staff_client.post(do("receive_restock"), {"note": ""})
    staff_client.post(do("refund"), {"note": ""})

    ret.refresh_from_db()
    assert ret.status == Return.Status.REFUNDED
    assert "Send it to the warehouse" in ret.staff_note
    assert payment_of(order).refunded_amount == Decimal("10.00")
    assert "none: the return is refunded" in staff_client.get(page).content.decode()
    assert staff_client.get(do("ship")).status_code == 404
    owed = Notification.objects.filter(key=f"{order.number}:{ret.number}").order_by("pk")
    assert list(owed.values_list("kind", flat=True)) == [
        "order.return_requested",
        "order.return_approved",
        "order.return_refunded",
    ]  # sent after commit (see test_status_emails)
    # The order's page lists the messages owed or sent about it.
    order_page = reverse("admin:orders_order_change", args=[order.pk])
    assert "return_approved" in staff_client.get(order_page).content.decode()


@pytest.fixture
def viewer_client(client, settings):
    """Staff who may view orders and returns, not change them."""
    settings.ADMIN_REQUIRE_MFA = False
    viewer = UserFactory.create(email="viewer@example.com", is_staff=True)
    may_view = Permission.objects.filter(
        codename__in=("view_order", "view_return"), content_type__app_label="orders"
    )
    viewer.user_permissions.set(may_view)
    client.force_login(viewer)
    return client


def test_staff_who_may_only_view_orders_cannot_run_their_actions(viewer_client):
    order, ret = _returned()
    return_action = reverse("admin:orders_return_action", args=(ret.pk, "approve"))

    assert viewer_client.get(reverse("admin:orders_order_change", args=(order.pk,))).status_code == 200
    assert viewer_client.post(_action(order, "cancel"), {"note": ""}).status_code == 404
    assert viewer_client.post(_action(order, "note"), {"note": "hello"}).status_code == 404
    assert viewer_client.post(return_action, {}).status_code == 404
    ret.refresh_from_db()
    assert ret.status == Return.Status.REQUESTED
    assert not OrderEvent.objects.filter(order=order, note="hello").exists()


def test_view_only_staff_are_not_offered_the_bulk_actions_that_change_orders(viewer_client):
    _order, ret = _returned()

    orders_page = viewer_client.get(reverse(CHANGELIST)).content.decode()
    returns_list = reverse("admin:orders_return_changelist")
    viewer_client.post(returns_list, {"action": "approve", "_selected_action": [ret.pk]})

    assert 'value="export_csv"' in orders_page
    assert 'value="mark_shipped"' not in orders_page
    ret.refresh_from_db()
    assert ret.status == Return.Status.REQUESTED


def test_the_order_page_links_only_the_actions_its_state_allows_and_has_no_save(staff_client):
    order, _variants = paid_order(1)
    page = reverse("admin:orders_order_change", args=(order.pk,))

    paid = staff_client.get(page).content.decode()
    order_ship(order_id=order.pk, by=None, carrier="table")
    shipped = staff_client.get(page).content.decode()

    assert [name for name in ACTIONS if _action(order, name) in paid] == ["ship", "cancel", "refund", "note"]
    assert [name for name in ACTIONS if _action(order, name) in shipped] == ["deliver", "refund", "note"]
    assert "Unter den Linden 1<br>" in paid
    assert 'name="_save"' not in paid
    assert 'name="_continue"' not in paid
