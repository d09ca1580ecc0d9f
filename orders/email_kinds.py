"""The kinds of email about an order's status, in one table
(``STATUS_EMAILS``) that ``orders.emails`` sends from: cancelled, and the
staff side of the lifecycle (shipped, delivered, refunded, and a return
requested, approved, rejected or refunded). One pair of templates
(``orders/email/lifecycle``) tells the lifecycle ones; the shipped email
lists the shipments with their tracking links."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from orders.models import Order
from shipping.selectors import shipments_for_reference

TEMPLATE = "orders/email/lifecycle"


@dataclass(frozen=True)
class StatusEmail:
    """One kind of email about an order's status: its subject (with
    ``%(shop)s`` and ``%(number)s``), its templates (``<template>.txt`` and
    ``<template>.html``) and, optionally, what else its templates need."""

    subject: str | Promise
    template: str
    context: Callable[[Order], dict[str, Any]] | None = None


def _context(headline: Any, message: Any, *, shipments: bool = False) -> Callable[[Order], dict[str, Any]]:
    """``headline`` and ``message`` are lazy translations, read at sending."""

    def context(order: Order) -> dict[str, Any]:
        return {
            "headline": str(headline) % {"number": order.number},
            "message": str(message),
            "shipments": list(shipments_for_reference(reference=order.number)) if shipments else [],
        }

    return context


_LIFECYCLE: dict[str, tuple[Any, Callable[[Order], dict[str, Any]]]] = {
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


STATUS_EMAILS: dict[str, StatusEmail] = {
    "cancelled": StatusEmail(
        subject=gettext_lazy("[%(shop)s] Order %(number)s cancelled"), template="orders/email/cancelled"
    ),
    **{
        kind: StatusEmail(subject=subject, template=TEMPLATE, context=context)
        for kind, (subject, context) in _LIFECYCLE.items()
    },
}
