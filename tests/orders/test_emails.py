"""The confirmation email: owed in the payment's transaction (the outbox,
``notifications``), sent after it commits through Celery, in HTML and text
with the lines and totals, exactly once, also when the mail server fails a
few times first or the task is lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_send_task, notifications_resend
from orders.checkout.placement import order_place
from orders.models import Order
from tests.orders.factories import cart_of, checkout_ready, germany, pay, stocked_variants
from tests.promotions.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

SEND = EmailMultiAlternatives.send


@pytest.fixture
def placed() -> Order:
    lamp, vase = stocked_variants(5, 5, title="Desk lamp", price=Decimal("20.00"))
    PromoCodeFactory.create(code="TEN", value=Decimal(10))
    checkout = checkout_ready(
        cart_of((lamp, 2), (vase, 1), codes=("TEN",)), germany(), email="ada@example.com"
    )
    return order_place(checkout=checkout, user=None)


def confirmation(order: Order) -> Notification:
    return Notification.objects.get(kind="order.confirmation", key=f"{order.number}:paid")


@pytest.fixture
def mail_server_down(monkeypatch):
    """The mail server refuses the first ``failures[0]`` messages, then takes them."""
    failures = [0]
    attempts = []

    def send(message, fail_silently=False):
        attempts.append(message.subject)
        if len(attempts) <= failures[0]:
            raise OSError("Connection refused")
        return SEND(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return failures, attempts


def test_the_confirmation_lists_lines_and_totals_in_text_and_html(
    placed, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SHOP_URL = "https://shop.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        pay(placed)

    placed.refresh_from_db()
    (message,) = mailoutbox
    assert message.subject == f"[Shop] Order {placed.number} confirmed"
    assert message.to == ["ada@example.com"]
    skus = list(placed.lines.values_list("sku", flat=True))
    # 60.00 of goods, 10 % off (6.00), 4.90 shipping: 58.90 with 9.40 VAT in it.
    assert (placed.total, placed.tax_total) == (Decimal("58.90"), Decimal("9.40"))
    text = message.body
    assert f"Thank you for your order {placed.number}." in text
    assert f"2 x Desk lamp ({skus[0]})  EUR 36.00 (discount EUR 4.00)" in text
    assert f"1 x Desk lamp ({skus[1]})  EUR 18.00 (discount EUR 2.00)" in text
    assert "Subtotal: EUR 60.00" in text
    assert "TEN: 10% off: -EUR 6.00" in text
    assert "Shipping (Standard): EUR 4.90" in text
    assert "Including tax: EUR 9.40" in text
    assert "Total: EUR 58.90" in text
    assert "Unter den Linden 1\n10117 BERLIN\nDE" in text
    assert f"https://shop.example.org/orders/{placed.number}/" in text
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f"Thank you for your order {placed.number}" in html
    assert "Desk lamp" in html
    assert "TEN: 10% off" in html
    assert "EUR 36.00" in html
    assert "EUR 58.90" in html
    assert f'href="https://shop.example.org/orders/{placed.number}/"' in html
    assert confirmation(placed).sent_at is not None
    # The customer's in-site notice (a guest order: none).
    assert confirmation(placed).title == ""


def test_two_failures_of_the_mail_server_are_retried_and_the_email_arrives_once(
    placed, django_capture_on_commit_callbacks, mailoutbox, mail_server_down
):
    failures, attempts = mail_server_down
    failures[0] = 2

    with django_capture_on_commit_callbacks(execute=True):
        pay(placed)

    placed.refresh_from_db()
    assert placed.status == Order.Status.PAID
    assert len(attempts) == 3
    assert len(mailoutbox) == 1
    assert confirmation(placed).sent_at is not None
    assert confirmation(placed).attempts == 3
    # A late duplicate of the task (a redelivery) sends nothing more.
    assert notification_send_task.delay(confirmation(placed).pk).get() is False
    assert len(mailoutbox) == 1


def test_a_mail_server_down_for_good_leaves_the_order_paid_and_the_sweep_sends_it_later(
    placed, django_capture_on_commit_callbacks, mailoutbox, mail_server_down
):
    failures, attempts = mail_server_down
    failures[0] = 1000

    with django_capture_on_commit_callbacks(execute=True):
        pay(placed)  # the task gives up after its retries; the listener logs it

    placed.refresh_from_db()
    assert placed.status == Order.Status.PAID
    assert len(attempts) == 11  # the first try and 10 retries
    owed = confirmation(placed)
    assert owed.sent_at is None
    assert owed.last_error == "OSError: Connection refused"
    assert mailoutbox == []
    assert notifications_resend(now=owed.created_at + timedelta(minutes=10)) == 0  # retries may still run

    failures[0] = 0
    assert notifications_resend(now=owed.created_at + timedelta(minutes=31)) == 1

    assert len(mailoutbox) == 1
    assert notifications_resend(now=owed.created_at + timedelta(minutes=41)) == 0


def test_an_unpaid_order_gets_no_confirmation(placed, mailoutbox):
    assert not Notification.objects.filter(kind="order.confirmation").exists()

    assert mailoutbox == []


def test_the_sweep_leaves_old_confirmations_alone(
    placed, django_capture_on_commit_callbacks, mailoutbox, mail_server_down
):
    failures, _attempts = mail_server_down
    failures[0] = 1000
    with django_capture_on_commit_callbacks(execute=True):
        pay(placed)
    Notification.objects.filter(pk=confirmation(placed).pk).update(
        created_at=timezone.now() - timedelta(days=4)
    )
    failures[0] = 0

    assert notifications_resend() == 0

    assert mailoutbox == []
