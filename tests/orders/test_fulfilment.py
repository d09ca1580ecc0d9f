"""Shipping and delivery of orders: staff ship all or some lines, the order
moves to partially shipped or shipped, a manual-capture shop takes the money
then, and the carrier's tracking delivers the order."""

from datetime import UTC, datetime

import pytest

from orders.checkout.placement import order_place
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship, order_shipment_changed
from orders.lifecycle.payment import order_mark_paid
from orders.lifecycle.transitions import OrderStateError
from orders.models import Order, OrderEvent
from payments.models import Payment
from shipping.carriers.base import TrackingEventData, TrackingUpdate
from shipping.models import Shipment
from shipping.services import ShipmentError, shipment_status_record, shipment_tracking_apply
from tests.orders.factories import cart_of, checkout_ready, germany, pay, stocked_variants
from tests.orders.staff_helpers import line_ids, paid_order, payment_of
from tests.shipping.conftest import easypost  # noqa: F401 (a fixture)
from tests.shipping.easypost_standin import tracker

pytestmark = pytest.mark.django_db

S = Order.Status


def _statuses(order: Order) -> list[tuple[str, str]]:
    return list(
        OrderEvent.objects.filter(order=order).exclude(to_status="").values_list("from_status", "to_status")
    )


def test_shipping_everything_makes_a_shipment_of_every_line_and_the_order_shipped():
    order, _variants = paid_order(2, 1)

    shipment = order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="TRK1")

    order.refresh_from_db()
    assert order.status == S.SHIPPED
    assert (shipment.reference, shipment.carrier, shipment.tracking_number) == (order.number, "table", "TRK1")
    assert sorted(shipment.lines.values_list("line_reference", "quantity")) == list(
        zip(line_ids(order), (2, 1), strict=True)
    )
    assert list(order.lines.values_list("quantity_shipped", flat=True)) == [2, 1]
    assert _statuses(order)[-1] == (S.PAID, S.SHIPPED)
    assert shipment.destination["postal_code"] == "10117"


def test_shipping_part_makes_the_order_partially_shipped_then_the_rest_ships_it():
    order, _variants = paid_order(2, 1)
    first, second = line_ids(order)

    order_ship(order_id=order.pk, by=None, carrier="table", lines={first: 1})
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED

    order_ship(order_id=order.pk, by=None, carrier="table", lines={first: 1, second: 0})
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED  # still the second line left

    order_ship(order_id=order.pk, by=None, carrier="table", lines=None)
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    assert Shipment.objects.filter(reference=order.number).count() == 3
    assert _statuses(order)[-2:] == [(S.PAID, S.PARTIALLY_SHIPPED), (S.PARTIALLY_SHIPPED, S.SHIPPED)]


def test_shipping_more_than_is_left_is_refused_and_changes_nothing():
    order, _variants = paid_order(2)
    (line,) = line_ids(order)

    with pytest.raises(OrderStateError, match=r"Only 2 of .* are left to ship"):
        order_ship(order_id=order.pk, by=None, carrier="table", lines={line: 3})

    order.refresh_from_db()
    assert order.status == S.PAID
    assert not Shipment.objects.filter(reference=order.number).exists()


def test_a_line_of_another_order_is_refused():
    order, _variants = paid_order(1)
    other, _ = paid_order(1)

    with pytest.raises(OrderStateError, match="is not a line of this order"):
        order_ship(order_id=order.pk, by=None, carrier="table", lines={line_ids(other)[0]: 1})


def test_an_unpaid_order_cannot_be_shipped():
    variants = stocked_variants(3)
    order = order_place(checkout=checkout_ready(cart_of((variants[0], 1)), germany()), user=None)

    with pytest.raises(OrderStateError, match="An order that is awaiting payment cannot be shipped"):
        order_ship(order_id=order.pk, by=None, carrier="table")


def test_a_shipped_order_cannot_be_shipped_again():
    order, _variants = paid_order(1)
    order_ship(order_id=order.pk, by=None, carrier="table")

    with pytest.raises(OrderStateError, match="An order that is shipped cannot be shipped"):
        order_ship(order_id=order.pk, by=None, carrier="table")


def test_a_label_from_a_carrier_that_makes_none_is_refused():
    order, _variants = paid_order(1)

    with pytest.raises(OrderStateError, match="table does not make labels"):
        order_ship(order_id=order.pk, by=None, carrier="table", buy_label=True)


def test_an_unknown_carrier_is_refused_with_the_shipping_apps_message():
    order, _variants = paid_order(1)

    with pytest.raises(OrderStateError, match="Unknown carrier"):
        order_ship(order_id=order.pk, by=None, carrier="pigeon")


def test_a_shipped_order_is_delivered_and_an_unshipped_one_cannot_be():
    order, _variants = paid_order(1)
    with pytest.raises(OrderStateError, match="An order that is paid cannot become delivered"):
        order_mark_delivered(order_id=order.pk)

    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk, note="Signed by neighbour")

    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert (
        OrderEvent.objects.filter(order=order).values_list("note", flat=True).last() == "Signed by neighbour"
    )


def test_a_partially_shipped_order_cannot_be_delivered():
    order, _variants = paid_order(2)
    order_ship(order_id=order.pk, by=None, carrier="table", lines={line_ids(order)[0]: 1})

    with pytest.raises(OrderStateError, match="partially shipped cannot become delivered"):
        order_mark_delivered(order_id=order.pk)


def test_a_manual_capture_shop_captures_the_payment_at_the_first_shipment(settings):
    settings.PAYMENT_CAPTURE = "manual"
    variants = stocked_variants(5)
    order = order_place(checkout=checkout_ready(cart_of((variants[0], 2)), germany()), user=None)
    order_mark_paid(number=order.number, payment=pay(order))
    order.refresh_from_db()
    payment = payment_of(order)
    assert (order.status, payment.status) == (S.PAID, Payment.Status.AUTHORIZED)

    order_ship(order_id=order.pk, by=None, carrier="table", lines={line_ids(order)[0]: 1})

    payment.refresh_from_db()
    assert (payment.status, payment.captured_amount) == (Payment.Status.CAPTURED, order.total)
    assert OrderEvent.objects.filter(order=order, note="Payment captured at shipment.").count() == 1


def test_the_carriers_delivered_event_delivers_the_order_once(django_capture_on_commit_callbacks):
    order, _variants = paid_order(1)
    shipment = order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="TRK9")
    update = TrackingUpdate(
        "TRK9",
        events=(
            TrackingEventData(datetime(2026, 1, 2, 9, tzinfo=UTC), Shipment.Status.IN_TRANSIT, "Picked up"),
            TrackingEventData(datetime(2026, 1, 3, 9, tzinfo=UTC), Shipment.Status.DELIVERED, "Delivered"),
        ),
    )

    for _ in range(2):  # as the carrier webhook and the tracking refresh do
        with django_capture_on_commit_callbacks(execute=True):
            if shipment_tracking_apply(shipment=shipment, update=update):
                order_shipment_changed(Shipment.objects.get(pk=shipment.pk))

    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert OrderEvent.objects.filter(order=order, to_status=S.DELIVERED).count() == 1


def test_in_transit_news_leaves_a_shipped_order_shipped(django_capture_on_commit_callbacks):
    order, _variants = paid_order(1)
    shipment = order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="TRK8")
    update = TrackingUpdate(
        "TRK8",
        events=(TrackingEventData(datetime(2026, 1, 2, 9, tzinfo=UTC), Shipment.Status.IN_TRANSIT),),
    )

    with django_capture_on_commit_callbacks(execute=True):
        shipment_tracking_apply(shipment=shipment, update=update)

    order.refresh_from_db()
    assert order.status == S.SHIPPED


def test_the_shipped_email_carries_the_tracking_and_the_delivered_one_follows(
    django_capture_on_commit_callbacks, mailoutbox
):
    order, _variants = paid_order(1)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="TRK-77")
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_delivered(order_id=order.pk)

    shipped, delivered = mailoutbox
    assert shipped.subject.endswith(f"Order {order.number} shipped")
    assert "TRK-77" in shipped.body
    assert shipped.to == [order.email]
    assert delivered.subject.endswith(f"Order {order.number} delivered")


def test_a_parcel_handed_over_is_in_transit_and_staffs_delivery_delivers_its_shipments():
    order, _variants = paid_order(1, 1)
    first, second = line_ids(order)
    one = order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="T1", lines={first: 1})
    two = order_ship(order_id=order.pk, by=None, carrier="table", lines={second: 1})
    assert (one.status, two.status) == (Shipment.Status.IN_TRANSIT, Shipment.Status.IN_TRANSIT)
    shipment_status_record(shipment_id=two.pk, status=Shipment.Status.RETURNED, description="Refused")

    order_mark_delivered(order_id=order.pk, note="The customer called")

    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == Shipment.Status.DELIVERED
    assert list(one.events.values_list("status", "description")) == [("delivered", "Delivered.")]
    assert two.status == Shipment.Status.RETURNED  # a final status is not rewritten


def test_an_unknown_shipment_status_is_refused():
    order, _variants = paid_order(1)
    shipment = order_ship(order_id=order.pk, by=None, carrier="table")

    with pytest.raises(ShipmentError, match="Unknown shipment status"):
        shipment_status_record(shipment_id=shipment.pk, status="lost_in_space", description="")


def test_a_tracking_number_of_a_tracking_carrier_is_looked_up_after_commit_and_moves_the_order(
    easypost,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    order, _variants = paid_order(1)
    easypost.trackers["EZ7"] = tracker("EZ7", [("2024-05-01T17:00:00Z", "delivered", "Delivered")])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        shipment = order_ship(order_id=order.pk, by=None, carrier="easypost", tracking_number="EZ7")

    assert len(callbacks) >= 1
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert (shipment.status, order.status) == (Shipment.Status.DELIVERED, S.DELIVERED)
