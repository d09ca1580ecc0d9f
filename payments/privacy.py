"""Payments' part of "Download my data" and "Delete my account".

Payments know orders only by their public number (``order_reference``), so
``orders`` asks with the numbers of a person's orders (``orders/privacy.py``):
payments never learn who the person is.

What is kept after deletion: amounts, statuses, dates, the gateway's
references and refunds, which the books need. What goes: the email copied
onto the payment, and what a gateway's webhook payload says about the
payer (name, email, phone, addresses). A card was never stored; only its
brand and last four digits are, and only they are exported.
"""

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.db.models import Q

from payments.models import Payment, WebhookEvent

# Keys of a gateway's objects (Stripe's PaymentIntent, Charge, PaymentMethod,
# Customer) whose values are about the payer; erased wherever they nest.
PERSONAL_KEYS = frozenset(
    {
        "address",
        "billing_details",
        "customer_details",
        "customer_email",
        "customer_name",
        "customer_phone",
        "email",
        "name",
        "phone",
        "receipt_email",
        "shipping",
        "shipping_details",
    }
)


def payments_export(*, order_references: Collection[str]) -> dict[str, list[dict[str, Any]]]:
    """The payments of these orders with their refunds, by order reference
    (two queries whatever their number)."""
    payments = (
        Payment.objects.filter(order_reference__in=list(order_references))
        .prefetch_related("refunds")
        .order_by("created_at", "pk")
    )
    exported: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for payment in payments:
        exported[payment.order_reference].append(
            {
                "gateway": payment.gateway,
                "status": payment.status,
                "amount": str(payment.amount),
                "currency": payment.currency,
                "captured_amount": str(payment.captured_amount),
                "refunded_amount": str(payment.refunded_amount),
                "email": payment.email,
                "card_brand": payment.card_brand,
                "card_last4": payment.card_last4,
                "failure_message": payment.failure_message,
                "created_at": payment.created_at.isoformat(),
                "refunds": [
                    {
                        "amount": str(refund.amount),
                        "status": refund.status,
                        "reason": refund.reason,
                        "created_at": refund.created_at.isoformat(),
                    }
                    for refund in sorted(payment.refunds.all(), key=lambda refund: refund.pk)
                ],
            }
        )
    return dict(exported)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: None if key in PERSONAL_KEYS and item else _scrubbed(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def payments_erase(*, order_references: Collection[str]) -> None:
    """Erase the payer from the payments of these orders and from the
    webhook events about them (whose payloads stay readable by the gateway's
    parser: only the personal keys become null)."""
    payments = Payment.objects.filter(order_reference__in=list(order_references))
    gateway_references = [ref for ref in payments.values_list("gateway_reference", flat=True) if ref]
    payments.update(email="")
    if not gateway_references:
        return
    events = list(
        WebhookEvent.objects.filter(
            Q(payload__data__object__id__in=gateway_references)
            | Q(payload__data__object__payment_intent__in=gateway_references)
            | Q(payload__data__object__payment_intent__id__in=gateway_references)
        ).only("pk", "payload")
    )
    for event in events:
        event.payload = _scrubbed(event.payload)
    WebhookEvent.objects.bulk_update(events, ["payload"])
