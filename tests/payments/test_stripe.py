"""The Stripe gateway against localstripe, a stateful fake Stripe server
started by the test suite: PaymentIntents created once per order with an
idempotency key, confirmed by "the browser" (the card goes to Stripe, never
to us), read back on the server, captured, cancelled and refunded.

localstripe declines 4000 0000 0000 0341 when charging (its 0002 is declined
only when a card is saved to a customer), so that is the declined card here."""

from decimal import Decimal

import pytest
import stripe

from payments.errors import PaymentError
from payments.models import Payment, Refund
from payments.selectors import payment_client_secret, payment_page_context
from payments.services import (
    payment_cancel,
    payment_capture,
    payment_confirm,
    payment_refund,
    payment_start,
    payment_sync,
)
from tests.payments.helpers import (
    browser_authenticates,
    browser_pays,
    intent_at_stripe,
    intents_for_order,
    order_reference,
    start,
)

pytestmark = [pytest.mark.django_db, pytest.mark.localstripe]

Status = Payment.Status


def test_starting_creates_one_payment_intent_for_the_order(localstripe):
    reference = order_reference()

    payment = start(reference=reference, amount="19.99")
    again = start(reference=reference, amount="19.99")

    assert again.pk == payment.pk
    assert payment.gateway == "stripe"
    assert payment.gateway_reference.startswith("pi_")
    assert payment.client_secret.startswith(f"{payment.gateway_reference}_secret_")
    (intent,) = intents_for_order(localstripe, reference)
    assert (intent["id"], intent["amount"], intent["currency"]) == (payment.gateway_reference, 1999, "eur")
    assert intent["capture_method"] == "automatic"
    assert intent["status"] == "requires_payment_method"


def test_every_call_that_creates_or_moves_money_carries_an_idempotency_key_from_the_order(
    localstripe, monkeypatch
):
    sent: list[tuple[str, str, str | None]] = []
    original = stripe.RequestsClient.request

    def recording(self, method, url, headers, post_data=None):
        sent.append((method, url.split("/v1/", 1)[1], headers.get("Idempotency-Key")))
        return original(self, method, url, headers, post_data)

    monkeypatch.setattr(stripe.RequestsClient, "request", recording)
    payment = start(reference="ORD-KEYS", amount="10.00")
    browser_pays(localstripe, payment, "4242424242424242")
    payment = payment_sync(payment=payment)
    payment_refund(payment=payment, amount=Decimal("4.00"), key="return-7")

    posts = [(path.split("/")[0], key) for method, path, key in sent if method == "post"]
    assert posts == [
        ("payment_intents", "ORD-KEYS:payment:1:create:10.00:EUR"),
        ("refunds", "ORD-KEYS:refund:return-7"),
    ]


def test_the_page_context_gives_stripe_js_what_it_needs(localstripe):
    payment = Payment.objects.get(pk=start().pk)  # as loaded by a later request: no secret kept

    context = payment_page_context(payment=payment, return_url="https://shop.example.com/checkout/return/")

    assert context["stripe_client_secret"].startswith(f"{payment.gateway_reference}_secret_")
    assert context["stripe_publishable_key"] == "pk_test_localstripe"
    assert context["stripe_js_url"] == f"{localstripe}/js.stripe.com/v3/"
    assert context["payment_template"] == "payments/stripe_payment_element.html"
    from django.template.loader import render_to_string

    html = render_to_string(context["payment_template"], context)
    assert f'<script src="{localstripe}/js.stripe.com/v3/"></script>' in html
    assert 'data-publishable-key="pk_test_localstripe"' in html
    assert "js/stripe-payment.js" in html


def test_the_shopper_returning_does_not_pay_the_order_until_stripe_says_so(localstripe):
    payment = start(amount="25.00")

    assert payment_sync(payment=payment).status == Status.PENDING

    browser_pays(localstripe, payment, "4242424242424242")
    payment = payment_sync(payment=payment)

    assert (payment.status, payment.captured_amount) == (Status.CAPTURED, Decimal("25.00"))
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")


def test_a_declined_card_leaves_the_payment_failed_with_stripes_reason(localstripe):
    payment = start()

    browser_pays(localstripe, payment, "4000000000000341")
    payment = payment_sync(payment=payment)

    assert (payment.status, payment.failure_message) == (Status.FAILED, "Your card was declined.")
    # The shopper may try another card on the same order: the same payment.
    assert start(reference=payment.order_reference).pk == payment.pk


def test_3d_secure_is_answered_in_the_browser_and_checked_on_the_server(localstripe):
    payment = start()

    browser_pays(localstripe, payment, "4000002500003155")
    assert payment_sync(payment=payment).status == Status.REQUIRES_ACTION
    browser_authenticates(localstripe, payment, success=True)

    assert payment_sync(payment=payment).status == Status.CAPTURED


def test_failed_3d_secure_fails_the_payment(localstripe):
    payment = start()

    browser_pays(localstripe, payment, "4000002500003155")
    browser_authenticates(localstripe, payment, success=False)
    payment = payment_sync(payment=payment)

    assert payment.status == Status.FAILED
    assert "authentication" in payment.failure_message


def test_a_server_side_confirmation_with_a_payment_method(localstripe):
    import requests

    payment = start()
    method = requests.post(
        f"{localstripe}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": 1,
            "card[exp_year]": 2040,
            "card[cvc]": "123",
        },
        auth=("sk_test_localstripe", ""),
        timeout=5,
    ).json()["id"]

    payment = payment_confirm(payment=payment, payment_method=method)

    assert (payment.status, payment.card_last4) == (Status.CAPTURED, "4242")


def test_manual_capture_authorises_then_captures_part_at_shipment(localstripe, settings):
    settings.PAYMENT_CAPTURE = "manual"
    payment = start(amount="40.00")
    assert intent_at_stripe(localstripe, payment.gateway_reference)["capture_method"] == "manual"

    browser_pays(localstripe, payment, "4242424242424242")
    payment = payment_sync(payment=payment)
    assert (payment.status, payment.captured_amount) == (Status.AUTHORIZED, Decimal("0.00"))

    payment = payment_capture(payment=payment, amount=Decimal("35.50"))

    assert (payment.status, payment.captured_amount) == (Status.CAPTURED, Decimal("35.50"))
    assert intent_at_stripe(localstripe, payment.gateway_reference)["status"] == "succeeded"
    # Stripe's later view of the payment does not undo the partial capture.
    assert payment_sync(payment=payment).captured_amount == Decimal("35.50")


def test_cancel_cancels_the_payment_intent(localstripe, settings):
    payment = start()

    payment = payment_cancel(payment=payment)

    assert payment.status == Status.CANCELLED
    assert intent_at_stripe(localstripe, payment.gateway_reference)["status"] == "canceled"
    settings.PAYMENT_CAPTURE = "manual"
    authorised = start()
    browser_pays(localstripe, authorised, "4242424242424242")
    assert payment_cancel(payment=payment_sync(payment=authorised)).status == Status.CANCELLED


def test_refunds_full_and_partial_reach_stripe(localstripe):
    payment = start(amount="60.00")
    browser_pays(localstripe, payment, "4242424242424242")
    payment = payment_sync(payment=payment)

    partial = payment_refund(payment=payment, amount=Decimal("15.00"), reason="One item back", key="r1")
    rest = payment_refund(payment=payment, amount=Decimal("45.00"), key="r2")

    assert partial.gateway_reference.startswith("re_")
    assert (partial.status, rest.status) == (Refund.Status.SUCCEEDED, Refund.Status.SUCCEEDED)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.REFUNDED, Decimal("60.00"))
    with pytest.raises(PaymentError, match=r"At most EUR 0\.00"):
        payment_refund(payment=payment, amount=Decimal("1.00"), key="r3")


def test_a_refund_stripe_refuses_is_an_error_with_stripes_reason_and_changes_nothing(localstripe):
    payment = start(amount="30.00")
    browser_pays(localstripe, payment, "4000000000000341")
    # Our records out of step with Stripe's (as after a bug or a manual edit):
    # the payment looks captured here, the charge failed there.
    Payment.objects.filter(pk=payment.pk).update(status=Status.CAPTURED, captured_amount=Decimal("30.00"))

    with pytest.raises(PaymentError, match=r"Cannot refund a failed payment\."):
        payment_refund(payment=payment, amount=Decimal("10.00"), key="refused")

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.CAPTURED, Decimal("0.00"))
    assert not Refund.objects.exists()


def test_stripe_out_of_reach_is_a_clear_error_and_records_nothing(localstripe, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    with pytest.raises(PaymentError, match="could not be reached"):
        payment_start(order_reference="ORD-DOWN", amount=Decimal("5.00"), currency="EUR", email="")

    assert not Payment.objects.exists()


def test_a_missing_payment_intent_is_stripes_404_as_an_error(localstripe):
    payment = start()
    Payment.objects.filter(pk=payment.pk).update(gateway_reference="pi_gone")
    payment.refresh_from_db()

    with pytest.raises(PaymentError, match="Not Found"):
        payment_sync(payment=payment)
    assert payment_client_secret(payment=Payment.objects.get(pk=start().pk)) != ""
