"""Low-stock alerts: one email to the active staff when a variant's available
stock falls to its threshold or below, sent by Celery after commit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from catalog.models import StockMovement, Variant
from catalog.stock import (
    stock_adjust,
    stock_commit,
    stock_low_alert_send,
    stock_low_alerts_resend,
    stock_release,
    stock_reserve,
)
from catalog.tasks import stock_low_alert_send as stock_low_alert_send_task
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Reason = StockMovement.Reason


def _alerts(callbacks: list) -> list:
    """The alert tasks among the on-commit callbacks (cached pages are also
    made stale on commit)."""
    return [callback for callback in callbacks if getattr(callback, "func", None) is not None]


@pytest.fixture
def staff() -> None:
    UserFactory.create(email="stock@example.com", is_staff=True)
    UserFactory.create(email="boss@example.com", is_staff=True, is_superuser=True)
    UserFactory.create(email="gone@example.com", is_staff=True, is_active=False)
    UserFactory.create(email="shopper@example.com")


def _variant(*, on_hand: int, threshold: int) -> Variant:
    product = ProductFactory.create(title="Linen shirt", variants=0)
    return Variant.objects.create(
        product=product, sku="SHIRT-L", price="30.00", stock_on_hand=on_hand, low_stock_threshold=threshold
    )


def test_crossing_the_threshold_emails_the_active_staff_once_after_commit(
    staff, django_capture_on_commit_callbacks, settings
):
    settings.SHOP_URL = "https://shop.example.org"
    variant = _variant(on_hand=8, threshold=5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stock_reserve(lines=[(variant, 3)], reference="CHK-1")
        assert mail.outbox == []  # nothing before the commit

    assert len(_alerts(callbacks)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@example.com", "stock@example.com"]
    assert message.subject == "Low stock: SHIRT-L Linen shirt (5 available)"
    assert "Available: 5 (on hand 8, reserved 3)" in message.body
    assert "Low-stock threshold: 5" in message.body
    assert f"https://shop.example.org/admin/catalog/variant/{variant.pk}/change/" in message.body


def test_no_alert_while_stock_stays_above_the_threshold(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=10, threshold=5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stock_reserve(lines=[(variant, 4)], reference="CHK-1")

    assert _alerts(callbacks) == []
    assert mail.outbox == []


def test_no_second_alert_while_stock_stays_low(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 1)], reference="CHK-1")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stock_reserve(lines=[(variant, 2)], reference="CHK-2")
        stock_adjust(variant=variant, quantity_change=-1, reason=Reason.ADJUSTMENT, note="Damaged")

    assert _alerts(callbacks) == []
    assert len(mail.outbox) == 1


def test_a_new_alert_after_stock_went_back_above_and_fell_again(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")  # 4 left: alert
    with django_capture_on_commit_callbacks(execute=True):
        stock_release(lines=[(variant, 2)], reference="CHK-1")  # back to 6
        stock_reserve(lines=[(variant, 1)], reference="CHK-2")  # 5 left: alert again

    assert [m.subject for m in mail.outbox] == [
        "Low stock: SHIRT-L Linen shirt (4 available)",
        "Low stock: SHIRT-L Linen shirt (5 available)",
    ]


def test_a_restock_before_the_task_runs_cancels_the_alert(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")
        stock_adjust(variant=variant, quantity_change=10, reason=Reason.RESTOCK, note="")

    assert mail.outbox == []


def test_an_adjustment_down_to_the_threshold_alerts(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=9, threshold=3)

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(variant=variant, quantity_change=-6, reason=Reason.ADJUSTMENT, note="Stocktake")

    assert [m.subject for m in mail.outbox] == ["Low stock: SHIRT-L Linen shirt (3 available)"]


def test_a_sale_of_reserved_units_does_not_alert_again(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines=[(variant, 2)], reference="ORD-1")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stock_commit(lines=[(variant, 2)], reference="ORD-1")

    assert _alerts(callbacks) == []
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(staff, django_capture_on_commit_callbacks):
    variant = _variant(on_hand=6, threshold=5)

    def reserve_then_crash() -> None:
        with transaction.atomic():
            stock_reserve(lines=[(variant, 3)], reference="CHK-1")
            raise RuntimeError("payment page crashed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        reserve_then_crash()

    assert _alerts(callbacks) == []
    assert mail.outbox == []
    variant.refresh_from_db()
    assert variant.stock_reserved == 0


def test_the_alert_is_skipped_without_active_staff(django_capture_on_commit_callbacks):
    UserFactory.create(email="gone@example.com", is_staff=True, is_active=False)
    variant = _variant(on_hand=1, threshold=1)

    assert stock_low_alert_send(variant_id=variant.pk) is False
    assert mail.outbox == []


def _owed(variant: Variant) -> None:
    """As the stock change that made it fall leaves it."""
    Variant.objects.filter(pk=variant.pk).update(low_stock_alert_owed_at=timezone.now())


def test_the_task_sends_for_a_low_variant_and_skips_a_missing_one(staff):
    variant = _variant(on_hand=2, threshold=5)
    _owed(variant)

    assert stock_low_alert_send_task.delay(variant.pk).get() is True
    assert stock_low_alert_send_task.delay(variant.pk + 1000).get() is False
    assert len(mail.outbox) == 1


def test_a_mail_server_down_twice_is_retried_and_the_alert_arrives(staff, monkeypatch):
    """Eager tasks (no Redis) retry too: the third attempt sends."""
    variant = _variant(on_hand=2, threshold=5)
    _owed(variant)
    attempts: list[str] = []
    send = EmailMessage.send

    def flaky(message, fail_silently=False):
        attempts.append(message.subject)
        if len(attempts) <= 2:
            raise ConnectionRefusedError("mail server down")
        return send(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky)

    assert stock_low_alert_send_task.delay(variant.pk).get() is True
    assert len(attempts) == 3
    assert len(mail.outbox) == 1


def test_an_alert_lost_with_the_broker_is_owed_and_the_sweep_sends_it(
    staff, django_capture_on_commit_callbacks
):
    variant = _variant(on_hand=6, threshold=5)
    with django_capture_on_commit_callbacks(execute=False):  # the task never ran
        stock_reserve(lines=[(variant, 2)], reference="CHK-1")
    variant.refresh_from_db()
    owed_at = variant.low_stock_alert_owed_at
    assert owed_at is not None

    assert stock_low_alerts_resend(now=owed_at + timedelta(minutes=10)) == 0  # its task may still run
    assert stock_low_alerts_resend(now=owed_at + timedelta(minutes=31)) == 1
    assert stock_low_alerts_resend(now=owed_at + timedelta(minutes=41)) == 0

    assert [m.subject for m in mail.outbox] == ["Low stock: SHIRT-L Linen shirt (4 available)"]
    variant.refresh_from_db()
    assert variant.low_stock_alert_owed_at is None


def test_a_mail_server_down_for_good_leaves_the_alert_owed(staff, monkeypatch):
    variant = _variant(on_hand=2, threshold=5)
    _owed(variant)

    def refuse(message, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(ConnectionRefusedError):
        stock_low_alert_send_task.delay(variant.pk).get()

    variant.refresh_from_db()
    assert variant.low_stock_alert_owed_at is not None
