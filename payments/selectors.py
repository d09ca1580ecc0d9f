"""The questions of payments: an order's payments, and what the page that
collects a card needs."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from payments.cards import TEST_CARD_LABELS, TEST_CARDS
from payments.gateways import gateway_get
from payments.models import Payment, Refund, WebhookEvent


def payment_get_for_order(*, order_reference: str) -> Payment | None:
    """The order's payment that is not cancelled, if any (there is at most one)."""
    return (
        Payment.objects.filter(order_reference=order_reference)
        .exclude(status=Payment.Status.CANCELLED)
        .order_by("pk")
        .first()
    )


def payment_list_for_order(*, order_reference: str) -> QuerySet[Payment]:
    """Every payment of the order, newest first, with their refunds."""
    return Payment.objects.filter(order_reference=order_reference).prefetch_related("refunds")


def refund_list_for_payment(*, payment: Payment) -> QuerySet[Refund]:
    return Refund.objects.filter(payment=payment)


def payment_takes_card_here(*, payment: Payment) -> bool:
    """Whether the card for this payment is typed into our own page (the test
    gateway) rather than into the gateway's script (Stripe.js)."""
    return gateway_get(payment.gateway).takes_card_here


def payment_client_secret(*, payment: Payment) -> str:
    """The secret Stripe.js needs to collect the card for this payment (read
    from Stripe each time: Stripe asks that it not be stored)."""
    if payment.client_secret:
        return payment.client_secret
    gateway = gateway_get(payment.gateway)
    if not gateway.has_remote_state or not payment.gateway_reference:
        return ""
    return gateway.payment_retrieve(reference=payment.gateway_reference).client_secret


def published_test_cards() -> list[tuple[str, str]]:
    """Stripe's published test numbers, grouped in fours, with what they do."""
    return [
        (" ".join(number[i : i + 4] for i in range(0, len(number), 4)), str(TEST_CARD_LABELS[outcome]))
        for number, outcome in TEST_CARDS.items()
    ]


def payment_page_context(*, payment: Payment, return_url: str) -> dict[str, Any]:
    """What the payment step's partial template needs: for Stripe,
    ``payments/stripe_payment_element.html`` (keys, client secret, the URL
    Stripe sends the shopper back to, which must call ``payment_sync``); for
    the test gateway, ``payments/test_card_form.html`` (the form is the
    caller's, as it binds the POST)."""
    if not payment_takes_card_here(payment=payment):  # Stripe: its script takes the card
        return {
            "payment": payment,
            "payment_template": "payments/stripe_payment_element.html",
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_client_secret": payment_client_secret(payment=payment),
            "return_url": return_url,
        }
    return {
        "payment": payment,
        "payment_template": "payments/test_card_form.html",
        "test_cards": published_test_cards(),
    }


def webhook_event_payment(*, event: WebhookEvent) -> Payment | None:
    """The payment a recorded event is about, if we have it (so that its
    order's lock can be taken before the payment's)."""
    parsed = gateway_get(event.gateway).webhook_parse(payload=event.payload)
    if not parsed.payment_reference:
        return None
    return Payment.objects.filter(gateway=event.gateway, gateway_reference=parsed.payment_reference).first()
