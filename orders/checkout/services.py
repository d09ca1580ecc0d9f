"""The checkout's orchestration, for the pages and for the JSON API alike:
plain values in, results out, no request.

    checkout_place(checkout=..., user=...)            # "Continue to payment"
    step = checkout_payment_open(checkout=..., user=...)   # the payment page
    order_payment_card_submit(payment=..., card=...)  # orders.lifecycle.payment, test gateway
    checkout_next(payment=...)                        # where the shopper goes then
    checkout_payment_check(order=...)                 # back from the gateway, or late news

The steps before (contact, addresses, shipping method) are in
``orders.checkout.steps``; placing the order is ``orders.checkout.placement.order_place``
and every move of a payment goes through ``orders.lifecycle.payment``.
"""

import contextlib
from dataclasses import dataclass
from enum import StrEnum

from accounts.models import User
from orders.checkout.placement import order_place
from orders.lifecycle.payment import order_confirm_free, order_payment_sync
from orders.models import Checkout, Order
from orders.status import UNPAID
from payments.errors import PaymentError
from payments.models import ATTEMPT_STATES, Payment
from payments.selectors import payment_get_for_order, payment_takes_card_here
from payments.services import payment_start


class Next(StrEnum):
    """Where the shopper goes once the gateway answered."""

    COMPLETE = "complete"  # paid: the order's complete page
    AUTHENTICATE = "authenticate"  # the test bank's extra step, on our page
    PAYMENT = "payment"  # back to the payment page (declined, or waiting)


@dataclass(frozen=True)
class PaymentStep:
    """The payment step of a checkout: its order, the order's payment, and
    whether there is anything left to pay."""

    order: Order
    payment: Payment | None
    done: bool  # paid (or nothing to pay): the complete page is next
    error: str = ""  # the gateway could not start the payment: try again later
    takes_card_here: bool = False  # the card is typed into our page (the test gateway)


def order_payment_start(*, order: Order) -> Payment:
    """The order's payment: started now, or the one started before."""
    return payment_start(
        order_reference=order.number, amount=order.total, currency=order.currency, email=order.email
    )


def checkout_place(*, checkout: Checkout, user: User | None) -> Order:
    """Place the order (or find it again, unchanged) and start its payment.
    ``CheckoutError`` says what must change first; a gateway that cannot
    start the payment now is told on the payment page, which tries again."""
    order = order_place(checkout=checkout, user=user)
    if order.total > 0:
        with contextlib.suppress(PaymentError):
            order_payment_start(order=order)
    return order


def checkout_payment_open(*, checkout: Checkout, user: User | None) -> PaymentStep:
    """The payment step: the order placed (or found again, unchanged, so what
    is paid is what the shopper sees), confirmed at once when there is
    nothing to pay, its payment started. ``CheckoutError`` when it cannot be
    placed."""
    order = order_place(checkout=checkout, user=user)
    if order.status not in UNPAID:  # paid meanwhile (another "Pay", another tab)
        return PaymentStep(order=order, payment=None, done=True)
    if order.total == 0:  # a full discount and free shipping: nothing to pay
        return PaymentStep(order=order_confirm_free(number=order.number), payment=None, done=True)
    try:
        payment = order_payment_start(order=order)
    except PaymentError as exc:
        return PaymentStep(order=order, payment=None, done=False, error=str(exc))
    return PaymentStep(
        order=order,
        payment=payment,
        done=payment.is_paid,  # confirmed meanwhile (a webhook, another tab)
        takes_card_here=payment_takes_card_here(payment=payment),
    )


def checkout_payment_declined(*, order: Order, payment: Payment | None) -> bool:
    """The gateway declined the card and the order still awaits payment: the
    shopper may try another card."""
    return payment is not None and payment.status == Payment.Status.FAILED and order.status in UNPAID


def checkout_payment_answer(*, payment: Payment) -> dict[str, object]:
    """What the browser's script needs after a server-side confirmation:
    the status, the decline's reason, and whether the bank asks for 3-D Secure."""
    return {
        "status": payment.status,
        "error": payment.failure_message if payment.status == Payment.Status.FAILED else "",
        "requires_action": payment.status == Payment.Status.REQUIRES_ACTION,
    }


def checkout_next(*, payment: Payment) -> Next:
    """Where the shopper goes once the gateway answered."""
    if payment.is_paid:
        return Next.COMPLETE
    if payment.status == Payment.Status.REQUIRES_ACTION and payment_takes_card_here(payment=payment):
        return Next.AUTHENTICATE
    return Next.PAYMENT


@dataclass(frozen=True)
class PaymentCheck:
    payment: Payment | None
    gateway_reached: bool = True


def checkout_payment_check(*, order: Order) -> PaymentCheck:
    """The order's payment, asked of the gateway again while it is still an
    attempt (the shopper came back from Stripe, or its webhook is late); the
    order moves with it (``order`` is read again then). When the gateway
    cannot be reached, the payment as we know it, and ``gateway_reached``
    False."""
    payment = payment_get_for_order(order_reference=order.number)
    if payment is None or payment.status not in ATTEMPT_STATES:
        return PaymentCheck(payment=payment)
    try:
        payment = order_payment_sync(payment=payment)
    except PaymentError:
        return PaymentCheck(payment=payment, gateway_reached=False)
    order.refresh_from_db(fields=["status", "paid_at", "reservation_expires_at"])
    return PaymentCheck(payment=payment)
