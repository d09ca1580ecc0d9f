"""Webhooks: only a valid signature on an unaltered, fresh body is heard; an
event takes effect once however often it is delivered; late or repeated
events never move a payment backwards."""

import json
import time
from decimal import Decimal

import pytest

from payments import services
from payments.models import Payment, Refund, WebhookEvent
from tests.payments.helpers import captured, intent_event, orders_hear, signed_post, start

pytestmark = pytest.mark.django_db

Status = Payment.Status
URL = "/payments/webhooks/test/"


@pytest.fixture
def stripe_payment(settings) -> Payment:
    """A payment made with Stripe (its PaymentIntent is only named here)."""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    return Payment.objects.create(
        order_reference="ORD-S1",
        gateway="stripe",
        gateway_reference="pi_3Abc",
        amount=Decimal("42.00"),
        currency="EUR",
    )


def _state(payment: Payment) -> tuple[str, Decimal, Decimal]:
    payment.refresh_from_db()
    return payment.status, payment.captured_amount, payment.refunded_amount


# --- Signatures ---------------------------------------------------------------------


def test_a_valid_stripe_event_captures_the_payment(client, stripe_payment):
    event = intent_event("payment_intent.succeeded", stripe_payment, status="succeeded", amount_received=4200)

    response = signed_post(client, event, gateway="stripe")

    assert (response.status_code, response.content) == (200, b"ok")
    assert _state(stripe_payment) == (Status.CAPTURED, Decimal("42.00"), Decimal("0.00"))
    recorded = WebhookEvent.objects.get()
    assert (recorded.event_id, recorded.type, recorded.error) == (event["id"], "payment_intent.succeeded", "")
    assert recorded.processed_at is not None
    assert recorded.payload == event


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("forged", "Invalid signature"),
        ("tampered", "Invalid signature"),
        ("old", "Invalid signature: Timestamp outside the tolerance zone"),
        ("unsigned", "The signature header is missing."),
        ("garbage header", "Invalid signature"),
    ],
)
def test_a_bad_delivery_is_a_400_with_the_reason_and_changes_nothing(client, stripe_payment, how, reason):
    event = intent_event("payment_intent.succeeded", stripe_payment, status="succeeded")
    body = json.dumps(event).encode()
    if how == "forged":
        response = signed_post(client, body, gateway="stripe", secret="whsec_guessed")
    elif how == "tampered":
        richer = body.replace(b'"amount": 4200', b'"amount": 1')
        response = signed_post(client, richer, gateway="stripe", signed_body=body)
    elif how == "old":
        response = signed_post(client, body, gateway="stripe", timestamp=int(time.time()) - 301)
    elif how == "unsigned":
        response = client.post("/payments/webhooks/stripe/", data=body, content_type="application/json")
    else:
        response = client.post(
            "/payments/webhooks/stripe/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": "nonsense"},
        )

    assert response.status_code == 400
    assert response.content.decode().startswith(reason)
    assert _state(stripe_payment) == (Status.PENDING, Decimal("0.00"), Decimal("0.00"))
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_just_inside_the_tolerance_is_accepted(client, stripe_payment):
    event = intent_event("payment_intent.succeeded", stripe_payment, status="succeeded")

    response = signed_post(client, event, gateway="stripe", timestamp=int(time.time()) - 290)

    assert response.status_code == 200


@pytest.mark.parametrize("gateway", ["stripe", "test"])
@pytest.mark.parametrize(("ahead", "status"), [(301, 400), (3600, 400), (290, 200)])
def test_a_delivery_signed_beyond_the_tolerance_into_the_future_is_refused(
    client, stripe_payment, gateway, ahead, status
):
    payment = stripe_payment if gateway == "stripe" else start()
    event = intent_event("payment_intent.succeeded", payment, status="succeeded")

    response = signed_post(client, event, gateway=gateway, timestamp=int(time.time()) + ahead)

    assert response.status_code == status
    if status == 400:
        assert response.content.decode() == "Invalid signature: Timestamp too far in the future"
        assert _state(payment)[0] == Status.PENDING
        assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "The body is not JSON."),
        (b'{"id": "evt_1"}', "The body is not an event"),
        (b"\xff\xfe", "The body is not UTF-8."),
    ],
)
def test_a_signed_body_that_is_no_event_is_a_400(client, body, reason):
    response = signed_post(client, body)

    assert response.status_code == 400
    assert response.content.decode().startswith(reason)


def test_stripe_webhooks_are_refused_when_no_secret_is_configured(client, settings, stripe_payment):
    settings.STRIPE_WEBHOOK_SECRET = ""
    event = intent_event("payment_intent.succeeded", stripe_payment, status="succeeded")

    response = signed_post(client, event, gateway="stripe", secret="whsec_anything")

    assert response.status_code == 400
    assert _state(stripe_payment)[0] == Status.PENDING


def test_an_unknown_gateway_is_404_and_a_get_is_405(client):
    assert (
        client.post("/payments/webhooks/paypal/", data=b"{}", content_type="application/json").status_code
        == 404
    )
    assert client.get(URL).status_code == 405


def test_the_webhook_needs_no_csrf_token():
    from django.test import Client

    payment = start()
    event = intent_event(
        "payment_intent.payment_failed", payment, status="requires_payment_method", error="No."
    )

    response = signed_post(Client(enforce_csrf_checks=True), event)

    assert response.status_code == 200
    assert _state(payment)[0] == Status.FAILED


# --- Once, in any order ------------------------------------------------------------------


@pytest.fixture
def heard(monkeypatch):
    calls: list[str] = []
    orders_hear(monkeypatch, lambda payment: calls.append(payment.status))
    return calls


def test_the_same_event_delivered_five_times_takes_effect_once(
    client, heard, django_capture_on_commit_callbacks
):
    payment = start()
    event = intent_event("payment_intent.succeeded", payment, status="succeeded", amount_received=2000)

    with django_capture_on_commit_callbacks(execute=True):
        responses = [signed_post(client, event).status_code for _ in range(5)]

    assert responses == [200] * 5
    assert WebhookEvent.objects.count() == 1
    assert _state(payment) == (Status.CAPTURED, Decimal("20.00"), Decimal("0.00"))
    assert heard == [Status.CAPTURED]


def test_a_late_processing_or_failure_never_moves_a_captured_payment_back(client):
    payment = start()
    now = int(time.time())

    signed_post(client, intent_event("payment_intent.succeeded", payment, status="succeeded", created=now))
    signed_post(
        client, intent_event("payment_intent.processing", payment, status="processing", created=now - 5)
    )
    signed_post(
        client,
        intent_event(
            "payment_intent.payment_failed",
            payment,
            status="requires_payment_method",
            error="x",
            created=now + 5,
        ),
    )
    signed_post(client, intent_event("payment_intent.canceled", payment, status="canceled", created=now + 9))

    assert _state(payment) == (Status.CAPTURED, Decimal("20.00"), Decimal("0.00"))
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 4


def test_among_attempts_the_newest_news_wins_whatever_the_delivery_order(client):
    payment = start()
    now = int(time.time())
    failed = intent_event(
        "payment_intent.payment_failed",
        payment,
        status="requires_payment_method",
        error="Declined.",
        created=now,
    )
    older = intent_event(
        "payment_intent.requires_action", payment, status="requires_action", created=now - 60
    )

    signed_post(client, failed)
    signed_post(client, older)

    payment.refresh_from_db()
    assert (payment.status, payment.failure_message) == (Status.FAILED, "Declined.")


def test_an_authorisation_then_a_capture_arriving_in_reverse_order_ends_captured(client, settings):
    settings.PAYMENT_CAPTURE = "manual"
    payment = start()
    now = int(time.time())

    signed_post(client, intent_event("payment_intent.succeeded", payment, status="succeeded", created=now))
    signed_post(
        client,
        intent_event(
            "payment_intent.amount_capturable_updated", payment, status="requires_capture", created=now - 9
        ),
    )

    assert _state(payment)[0] == Status.CAPTURED


def test_an_event_about_an_unknown_payment_is_recorded_and_ignored(client):
    payment = Payment(gateway="test", gateway_reference="tpi_nobody", amount=Decimal(1), currency="EUR")
    event = intent_event("payment_intent.succeeded", payment, status="succeeded")

    response = signed_post(client, event)

    assert response.status_code == 200
    recorded = WebhookEvent.objects.get()
    assert recorded.processed_at is not None
    assert recorded.error == "Ignored: no payment has the reference tpi_nobody."


def test_an_event_of_a_type_we_do_not_use_is_recorded_as_processed(client):
    response = signed_post(client, {"id": "evt_x1", "type": "customer.created", "created": 1, "data": {}})

    assert response.status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None


def test_a_refund_made_at_the_gateway_is_recorded_once(client):
    payment = captured(amount="100.00")
    services.payment_refund(payment=payment, amount=Decimal("10.00"), key="ours")
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": payment.gateway_reference,
        "currency": "eur",
        "amount": 10000,
        "amount_captured": 10000,
        "amount_refunded": 3500,
    }
    event = {
        "id": "evt_refund_1",
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {"object": charge},
    }

    for _ in range(3):
        assert signed_post(client, event).status_code == 200

    assert _state(payment) == (Status.PARTIALLY_REFUNDED, Decimal("100.00"), Decimal("35.00"))
    outside = Refund.objects.exclude(idempotency_key="ours").get()
    assert (outside.amount, outside.reason) == (Decimal("25.00"), "Refunded at the gateway")


def test_an_error_while_applying_is_a_500_kept_on_the_event_and_the_next_delivery_retries(
    client, monkeypatch
):
    payment = start()
    event = intent_event("payment_intent.succeeded", payment, status="succeeded")
    original = services._remote_apply

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "_remote_apply", broken)
    assert signed_post(client, event).status_code == 500
    recorded = WebhookEvent.objects.get()
    assert (recorded.processed_at, recorded.error) == (None, "RuntimeError: database hiccup")
    assert _state(payment)[0] == Status.PENDING

    monkeypatch.setattr(services, "_remote_apply", original)
    assert signed_post(client, event).status_code == 200

    recorded.refresh_from_db()
    assert (recorded.error, recorded.processed_at is not None) == ("", True)
    assert _state(payment)[0] == Status.CAPTURED


def test_receive_reports_a_repeated_delivery():
    payment = start()
    body = json.dumps(intent_event("payment_intent.succeeded", payment, status="succeeded")).encode()
    from payments.gateways.base import signature_header
    from payments.gateways.testmode import SIGNATURE_HEADER, webhook_secret

    headers = {SIGNATURE_HEADER: signature_header(body=body, secret=webhook_secret())}

    first = services.webhook_event_receive(gateway="test", body=body, headers=headers)
    again = services.webhook_event_receive(gateway="test", body=body, headers=headers)

    assert (first.created, again.created, again.pk) == (True, False, first.pk)
    assert services.webhook_event_apply(event=first) == payment
    assert services.webhook_event_apply(event=again) is None
