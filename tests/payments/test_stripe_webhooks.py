"""End to end: localstripe itself signs and delivers its webhook events to the
shop running on a live server, and they alone capture the payment."""

import time

import pytest
import requests

from payments.models import Payment, WebhookEvent
from tests.payments.helpers import browser_pays, start

pytestmark = [pytest.mark.localstripe, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webhooks_to(localstripe):
    """Have localstripe deliver its events to a URL for the test; then to a
    closed port, so that later tests' events go nowhere."""
    config = f"{localstripe}/_config/webhooks/shop"

    def point(url: str) -> None:
        requests.post(config, data={"url": url, "secret": "whsec_localstripe"}, timeout=5).raise_for_status()

    yield point
    point("http://127.0.0.1:9/")


def test_stripes_own_signed_events_capture_the_payment(localstripe, live_server, webhooks_to):
    webhooks_to(f"{live_server.url}/payments/webhooks/stripe/")
    payment = start(amount="15.00")

    browser_pays(localstripe, payment, "4242424242424242")

    deadline = time.monotonic() + 15
    while Payment.objects.get(pk=payment.pk).status != Payment.Status.CAPTURED:
        assert time.monotonic() < deadline, "no webhook captured the payment"
        time.sleep(0.2)
    event = WebhookEvent.objects.get(
        type="payment_intent.succeeded", payload__data__object__id=payment.gateway_reference
    )
    assert (event.gateway, event.error) == ("stripe", "")
    assert event.processed_at is not None
