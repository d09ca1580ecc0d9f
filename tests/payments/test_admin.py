"""Staff find payments, refunds and webhook events in the admin, read-only."""

from decimal import Decimal

import pytest

from payments.models import Payment, Refund, WebhookEvent
from payments.services import payment_refund
from tests.payments.helpers import captured, intent_event, pay, signed_post, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(client):
    paid = captured(amount="80.00")
    payment_refund(payment=paid, amount=Decimal("20.00"), reason="Damaged", key="r-1")
    pay(start(email="bob@example.com"), "4000000000000002")
    signed_post(client, intent_event("payment_intent.succeeded", paid, status="succeeded"))
    return paid


def test_the_payment_list_filters_by_status_and_searches_by_reference_or_email(staff_client, records):
    response = staff_client.get("/admin/payments/payment/")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2

    failed = staff_client.get("/admin/payments/payment/", {"status__exact": "failed"})
    assert [p.email for p in failed.context["cl"].result_list] == ["bob@example.com"]
    for term in (records.order_reference, records.gateway_reference, "bob@example"):
        found = staff_client.get("/admin/payments/payment/", {"q": term})
        assert len(found.context["cl"].result_list) == 1


def test_a_payment_page_shows_its_refunds_and_cannot_be_changed(staff_client, records):
    response = staff_client.get(f"/admin/payments/payment/{records.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Damaged" in content
    assert "visa •••• 4242" in staff_client.get("/admin/payments/payment/").content.decode()
    assert 'name="_save"' not in content
    assert staff_client.get("/admin/payments/payment/add/").status_code == 403


def test_refunds_and_webhook_events_have_read_only_lists(staff_client, records):
    assert staff_client.get("/admin/payments/refund/").status_code == 200
    refund = Refund.objects.get()
    assert staff_client.get(f"/admin/payments/refund/{refund.pk}/change/").status_code == 200
    events = staff_client.get("/admin/payments/webhookevent/", {"processed": "yes"})
    assert events.status_code == 200
    assert len(events.context["cl"].result_list) == 1
    event = WebhookEvent.objects.get()
    assert staff_client.get(f"/admin/payments/webhookevent/{event.pk}/change/").status_code == 200
    for value in ("no", "error"):
        assert staff_client.get("/admin/payments/webhookevent/", {"processed": value}).status_code == 200
    assert Payment.objects.count() == 2
