"""The status emails of the staff side of the lifecycle (shipped, delivered,
refunded, and a return requested, approved, rejected or refunded), added to the
registry of ``orders.emails`` when the app is ready. One pair of templates
(``orders/email/lifecycle``) tells them all; the shipped email lists the
shipments with their tracking links."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy

from orders.emails import StatusEmail, status_email_register
from orders.models import Order
from shipping.selectors import shipments_for_reference

TEMPLATE = "orders/email/lifecycle"


def _context(headline: Any, message: Any, *, shipments: bool = False) -> Callable[[Order], dict[str, Any]]:
    """``headline`` and ``message`` are lazy translations, read at sending."""

    def context(order: Order) -> dict[str, Any]:
        return {
            "headline": str(headline) % {"number": order.number},
            "message": str(message),
            "shipments": list(shipments_for_reference(reference=order.number)) if shipments else [],
        }

    return context


KINDS: dict[str, tuple[Any, Callable[[Order], dict[str, Any]]]] = {
    "shipped": (
        gettext_lazy("[%(shop)s] Order %(number)s shipped"),
        _context(
            gettext_lazy("Your order %(number)s is on its way"),
            gettext_lazy("We have sent your order. You can follow the parcel with the carrier."),
            shipments=True,
        ),
    ),
    "delivered": (
        gettext_lazy("[%(shop)s] Order %(number)s delivered"),
        _context(gettext_lazy("Your order %(number)s was delivered"), gettext_lazy("We hope you enjoy it.")),
    ),
    "refunded": (
        gettext_lazy("[%(shop)s] Refund for order %(number)s"),
        _context(
            gettext_lazy("A refund for your order %(number)s"),
            gettext_lazy(
                "We refunded money to your original payment method; banks usually show it within a few days."
            ),
        ),
    ),
    "return_requested": (
        gettext_lazy("[%(shop)s] Return for order %(number)s received"),
        _context(
            gettext_lazy("We have your return request for order %(number)s"),
            gettext_lazy(
                "We will look at it and write to you when it is approved, "
                "with what to do next. Please do not send anything back before."
            ),
        ),
    ),
    "return_approved": (
        gettext_lazy("[%(shop)s] Return for order %(number)s approved"),
        _context(
            gettext_lazy("Your return for order %(number)s is approved"),
            gettext_lazy("Please send the items back to us; we refund them when they arrive."),
        ),
    ),
    "return_rejected": (
        gettext_lazy("[%(shop)s] Return for order %(number)s declined"),
        _context(
            gettext_lazy("Your return for order %(number)s was declined"),
            gettext_lazy("See your order page for the reason, or reply to this email."),
        ),
    ),
    "return_refunded": (
        gettext_lazy("[%(shop)s] Return for order %(number)s refunded"),
        _context(
            gettext_lazy("Your return for order %(number)s is refunded"),
            gettext_lazy("We received the items and refunded them to your original payment method."),
        ),
    ),
}


def register() -> None:
    for kind, (subject, context) in KINDS.items():
        status_email_register(kind, StatusEmail(subject=subject, template=TEMPLATE, context=context))
