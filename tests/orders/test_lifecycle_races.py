"""Staff and customer at the same moment, on PostgreSQL with real threads:
a cancel racing a shipment leaves the order either cancelled and refunded
or shipped and paid, never both; two staff refunding one return refund it
once."""

import pytest

from orders.lifecycle.cancellation import order_cancel
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.lifecycle.returns import return_approve, return_receive, return_refund, return_request
from orders.models import Order, OrderEvent, Return
from payments.models import Payment, Refund
from shipping.models import Shipment
from tests.concurrency import run_in_threads
from tests.orders.staff_helpers import line_ids, paid_order, payment_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("round_", range(5))
def test_a_cancel_racing_a_shipment_is_one_or_the_other(round_):
    order, _variants = paid_order(1, 1)

    def act(n: int) -> str:
        if n == 0:
            order_cancel(order_id=order.pk, by=None)
            return "cancelled"
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="T1")
        return "shipped"

    outcomes = run_in_threads(2, act)

    order.refresh_from_db()
    payment = payment_of(order)
    shipments = Shipment.objects.filter(reference=order.number).count()
    if outcomes["cancelled"]:
        assert outcomes == {"cancelled": 1, "OrderStateError": 1}
        assert (order.status, payment.status, shipments) == (
            Order.Status.CANCELLED,
            Payment.Status.REFUNDED,
            0,
        )
    else:
        assert outcomes == {"shipped": 1, "OrderStateError": 1}
        assert (order.status, payment.status, shipments) == (Order.Status.SHIPPED, Payment.Status.CAPTURED, 1)
        assert Refund.objects.filter(payment=payment).count() == 0


def test_two_staff_refunding_one_return_refund_it_once():
    order, _variants = paid_order(2)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    order.refresh_from_db()
    ret = return_request(order=order, user=None, lines={line_ids(order)[0]: 1}, reason="Too big")
    return_approve(return_id=ret.pk, by=None)
    return_receive(return_id=ret.pk, by=None, restock=True)

    outcomes = run_in_threads(4, lambda _n: (return_refund(return_id=ret.pk, by=None), "refunded")[1])

    assert outcomes == {"refunded": 1, "ReturnError": 3}
    assert Refund.objects.filter(payment=payment_of(order)).count() == 1
    assert str(payment_of(order).refunded_amount) == "10.00"
    assert Return.objects.get(pk=ret.pk).status == Return.Status.REFUNDED
    assert OrderEvent.objects.filter(order=order, note__contains="received → refunded").count() == 1
