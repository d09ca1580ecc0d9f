"""Everything the customer's order page shows, gathered in one place from
orders, payments and shipping (the view only renders it)."""

from dataclasses import dataclass

from orders.invoices import INVOICE_STATUSES
from orders.lifecycle.cancellation import order_can_cancel
from orders.lifecycle.returns import return_window_open
from orders.models import Order, OrderEvent, OrderLine, Return
from orders.pages import TaxRow, address_lines, order_tax_rows
from orders.selectors import order_events, order_returns
from payments.models import Payment
from payments.selectors import payment_get_for_order
from shipping.models import Shipment
from shipping.selectors import shipments_for_reference


@dataclass(frozen=True)
class OrderPage:
    order: Order
    lines: list[OrderLine]
    tax_rows: list[TaxRow]
    shipping_lines: list[str]
    billing_lines: list[str]
    payment: Payment | None
    events: list[OrderEvent]
    shipments: list[Shipment]
    returns: list[Return]
    can_cancel: bool
    can_return: bool
    invoice: bool  # the PDF invoice is offered


def order_page_build(*, order: Order) -> OrderPage:
    lines = list(order.lines.all())
    return OrderPage(
        order=order,
        lines=lines,
        tax_rows=order_tax_rows(order),
        shipping_lines=address_lines(order.shipping_address),
        billing_lines=address_lines(order.billing_address),
        payment=payment_get_for_order(order_reference=order.number),
        events=list(order_events(order=order)),
        shipments=list(shipments_for_reference(reference=order.number)),
        returns=list(order_returns(order=order)),
        can_cancel=order_can_cancel(order),
        can_return=return_window_open(order=order)
        and any(line.quantity_shipped > line.quantity_returned for line in lines),
        invoice=order.status in INVOICE_STATUSES,
    )
