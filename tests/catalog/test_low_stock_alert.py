"""Low-stock alerts: when a variant's available stock falls to its threshold
or below, each active staff member with an email is owed an email (kind
``catalog.low_stock``), in the stock change's transaction, and the outbox
(``notifications``) sends it after commit: once per fall, not on every change
while the stock stays low. A broker or mail server that is down fails no
stock change; the sweep sends what is owed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from kombu.exceptions import OperationalError

from catalog.models import StockMovement, Variant
from catalog.stock import (
    stock_adjust,
    stock_commit,
    stock_low_alert_queue,
    stock_release,
    stock_reserve,
)
from notifications import services
from notifications.models import Notification
from notifications.services import RESEND_AFTER, notifications_resend
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Reason = StockMovement.Reason
STAFF = ["boss@example.com", "stock@example.com"]


def _alerts() -> list[Notification]:
    return list(Notification.objects.filter(kind="catalog.low_stock").order_by("pk"))


def _sent() -> list[tuple[str, str]]:
    """(recipient, subject) of every email sent, sorted."""
    return sorted((address, str(message.subject)) for message in mail.outbox for address in message.to)


@pytest.fixture
def staff() -> None:
    UserFactory.create(email="stock@example.com", is_staff=True)
    UserFactory.create(email="boss@example.com", is_staff=True, is_superuser=True)
    UserFactory.create(email="gone@example.com", is_staff=True, is_active=False)
    UserFactory.create(email="", is_staff=True, verified=False)  # no address to write to
    UserFactory.create(email="shopper@example.com")


def _variant(*, on_hand: int, threshold: int) -> Variant:
    product = ProductFactory.create(title="Linen shirt", variants=0)
    return Variant.objects.create(
        product=product, sku="SHIRT-L", price="30.00", stock_on_hand=on_hand, low_stock_threshold=threshold
    )


def test_crossing_the_threshold_emails_each_active_staff_member_once_after_commit(
    staff, django_capture_on_commit_callbacks, settings
):
    settings.SHOP_URL = "https://shop.example.org"
    variant = _variant(on_hand=8, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 3)], reference="CHK-1")
        # Owed in the stock change's transaction, sent only after its commit.
        assert sorted(alert.email for alert in _alerts()) == STAFF
        assert mail.outbox == []

    subject = "Low stock: SHIRT-L Linen shirt (5 available)"
    assert _sent() == [(email, subject) for email in STAFF]
    admin_url = f"https://shop.example.org/admin/catalog/variant/{variant.pk}/change/"
    for message in mail.outbox:
        assert "Linen shirt, variant SHIRT-L, is running low." in message.body
        assert "Available: 5 (on hand 8, reserved 3)" in message.body
        assert "Low-stock threshold: 5" in message.body
        assert admin_url in message.body
        assert isinstance(message, EmailMultiAlternatives)
        ((html, mimetype),) = message.alternatives
        assert mimetype == "text/html"
        assert f'href="{admin_url}"' in str(html)
    assert all(alert.sent_at is not None for alert in _alerts())


def test_no_alert_while_stock_stays_above_the_threshold(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=10, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 4)], reference="CHK-1")

    assert _alerts() == []
    assert mail.outbox == []


def test_no_second_alert_while_stock_stays_low(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 1)], reference="CHK-1")

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-2")
        stock_adjust(variant=variant, quantity_change=-1, reason=Reason.ADJUSTMENT, note="Damaged")

    assert len(_alerts()) == 2  # one per staff member, of the first fall
    assert len(mail.outbox) == 2


def test_a_new_alert_after_stock_went_back_above_and_fell_again(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")  # 4 left: alert
    with django_capture_on_commit_callbacks(execute=True):
        stock_release(lines=[(variant, 2)], reference="CHK-1")  # back to 6
        stock_reserve(lines=[(variant, 1)], reference="CHK-2")  # 5 left: alert again

    assert _sent() == [
        (email, f"Low stock: SHIRT-L Linen shirt ({available} available)")
        for email in STAFF
        for available in (4, 5)
    ]
    assert len(_alerts()) == 4


def test_a_restock_after_the_fall_does_not_take_the_alert_back(staff, django_capture_on_commit_callbacks):
    """The alert tells what happened: owed when the stock fell, it is sent
    even if a delivery arrived before the email went."""
    variant = _variant(on_hand=6, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")
        stock_adjust(variant=variant, quantity_change=10, reason=Reason.RESTOCK, note="Delivery")

    assert _sent() == [(email, "Low stock: SHIRT-L Linen shirt (4 available)") for email in STAFF]


def test_an_adjustment_down_to_the_threshold_alerts(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=9, threshold=3)

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(variant=variant, quantity_change=-6, reason=Reason.ADJUSTMENT, note="Stocktake")

    assert _sent() == [(email, "Low stock: SHIRT-L Linen shirt (3 available)") for email in STAFF]


def test_a_sale_of_reserved_units_does_not_alert_again(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="ORD-1")

    with django_capture_on_commit_callbacks(execute=True):
        stock_commit(lines=[(variant, 2)], reference="ORD-1")

    assert len(_alerts()) == 2
    assert len(mail.outbox) == 2


def test_nothing_is_owed_nor_sent_when_the_transaction_rolls_back(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)

    def reserve_then_crash() -> None:
        with transaction.atomic():
            stock_reserve(lines=[(variant, 3)], reference="CHK-1")
            raise RuntimeError("payment page crashed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        reserve_then_crash()

    assert _alerts() == []
    assert mail.outbox == []
    variant.refresh_from_db()
    assert variant.stock_reserved == 0


def test_nobody_is_alerted_without_active_staff(django_capture_on_commit_callbacks):
    UserFactory.create(email="gone@example.com", is_staff=True, is_active=False)
    UserFactory.create(email="shopper@example.com")
    variant = _variant(on_hand=6, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")

    assert stock_low_alert_queue(variants=[variant]) == 0
    assert _alerts() == []
    assert mail.outbox == []
    variant.refresh_from_db()
    assert variant.stock_reserved == 2


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Queueing a task fails as it does when Redis is gone (until the test
    calls ``monkeypatch.undo()``); returns the ids it was asked to queue."""
    queued: list[int] = []

    def refuse(notification_id: int) -> None:
        queued.append(notification_id)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(services.notification_send_task, "delay", refuse)
    return queued


def test_a_broker_down_fails_no_stock_change_and_the_sweep_sends_later(
    staff, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    variant = _variant(on_hand=6, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")

    variant.refresh_from_db()
    assert variant.stock_reserved == 2  # the stock change stands
    assert len(broker_down) == 2  # one try per staff member
    assert mail.outbox == []
    owed = _alerts()
    assert [alert.sent_at for alert in owed] == [None, None]

    monkeypatch.undo()  # the broker is back
    created_at = owed[0].created_at
    assert notifications_resend(now=created_at + timedelta(minutes=10)) == 0  # its task may still run
    assert notifications_resend(now=created_at + RESEND_AFTER + timedelta(minutes=1)) == 2
    assert notifications_resend(now=created_at + timedelta(minutes=41)) == 0
    assert _sent() == [(email, "Low stock: SHIRT-L Linen shirt (4 available)") for email in STAFF]


def test_a_mail_server_down_twice_is_retried_and_the_alert_arrives(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    """Eager tasks (no Redis) retry too: each email's third attempt sends."""
    variant = _variant(on_hand=6, threshold=5)
    attempts: dict[str, int] = {}
    send = EmailMessage.send

    def flaky(message: EmailMessage, fail_silently: bool = False) -> int:
        (to,) = message.to
        attempts[to] = attempts.get(to, 0) + 1
        if attempts[to] <= 2:
            raise ConnectionRefusedError("mail server down")
        return send(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")

    assert attempts == dict.fromkeys(STAFF, 3)
    assert len(mail.outbox) == 2
    assert [(alert.attempts, alert.sent_at is not None) for alert in _alerts()] == [(3, True), (3, True)]


def test_a_mail_server_down_for_good_leaves_the_alert_owed_for_the_sweep(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    variant = _variant(on_hand=6, threshold=5)

    def refuse(message: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")  # the task gives up; the change stands

    owed = _alerts()
    assert [(alert.sent_at, alert.attempts) for alert in owed] == [(None, 11), (None, 11)]
    assert {alert.last_error for alert in owed} == {"ConnectionRefusedError: mail server down"}

    monkeypatch.undo()
    assert notifications_resend(now=owed[0].created_at + RESEND_AFTER + timedelta(minutes=1)) == 2
    assert _sent() == [(email, "Low stock: SHIRT-L Linen shirt (4 available)") for email in STAFF]
