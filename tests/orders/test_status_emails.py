"""Status emails (shipped, delivered, refunded, returns, cancelled): each is
a row owed in the transaction of the change it tells about, sent once through
Celery after commit, one per occasion (two partial refunds, two shipments,
two returns send two), never twice for one, and swept up when its task was
lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_send, notification_send_task, notifications_resend
from orders.lifecycle.cancellation import order_cancel
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.lifecycle.refunds import order_refund
from orders.lifecycle.returns import return_approve, return_request
from orders.notices import order_notify
from tests.orders.staff_helpers import line_ids, paid_order

pytestmark = pytest.mark.django_db

SEND = EmailMultiAlternatives.send


def _subjects(mailoutbox) -> list[str]:
    return [message.subject for message in mailoutbox]


def _about(order, **filters):
    return Notification.objects.filter(key__startswith=f"{order.number}:", **filters).exclude(
        kind="order.confirmation"
    )


def test_two_partial_refunds_send_two_refund_emails(django_capture_on_commit_callbacks, mailoutbox):
    order, _variants = paid_order(2)

    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order_id=order.pk, by=None, amount=Decimal("5.00"), key="a")
    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order_id=order.pk, by=None, amount=Decimal("3.00"), key="b")
    with django_capture_on_commit_callbacks(execute=True):  # a double click of the second
        order_refund(order_id=order.pk, by=None, amount=Decimal("3.00"), key="b")

    assert _subjects(mailoutbox) == [f"[Shop] Refund for order {order.number}"] * 2
    assert _about(order, kind="order.refunded", sent_at__isnull=False).count() == 2


def test_two_shipments_and_two_returns_each_get_their_email(django_capture_on_commit_callbacks, mailoutbox):
    order, _variants = paid_order(1, 1)
    first, second = line_ids(order)
    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="T1", lines={first: 1})
    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="T2", lines={second: 1})
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_delivered(order_id=order.pk)
    order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        one = return_request(order=order, user=None, lines={first: 1}, reason="Too big")
        two = return_request(order=order, user=None, lines={second: 1}, reason="Broken")
        return_approve(return_id=one.pk, by=None)
        return_approve(return_id=two.pk, by=None)

    assert _subjects(mailoutbox) == [
        f"[Shop] Order {order.number} shipped",
        f"[Shop] Order {order.number} shipped",
        f"[Shop] Order {order.number} delivered",
        f"[Shop] Return for order {order.number} received",
        f"[Shop] Return for order {order.number} received",
        f"[Shop] Return for order {order.number} approved",
        f"[Shop] Return for order {order.number} approved",
    ]
    assert "T2" in mailoutbox[1].body
    # Links point at SHOP_URL (the demo's address by default), in text and HTML.
    assert f"Your order: http://127.0.0.1:8000/orders/{order.number}/" in mailoutbox[2].body
    assert f'href="http://127.0.0.1:8000/orders/{order.number}/"' in mailoutbox[2].alternatives[0][0]


def test_the_task_run_again_sends_nothing_twice(django_capture_on_commit_callbacks, mailoutbox):
    order, _variants = paid_order(1)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, by=None)
    (owed,) = _about(order)

    assert notification_send_task.delay(owed.pk).get() is False
    assert notification_send(notification_id=owed.pk) is False

    assert _subjects(mailoutbox) == [f"[Shop] Order {order.number} cancelled"]


def test_a_lost_task_is_owed_and_the_sweep_sends_it_once(
    django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    order, _variants = paid_order(1)
    Notification.objects.all().delete()  # the confirmation, never sent: this test does not commit
    sent_attempts = []

    def refuse(message, fail_silently=False):
        sent_attempts.append(message.subject)
        raise OSError("Connection refused")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="T1")
    (owed,) = _about(order)
    assert owed.sent_at is None
    assert len(sent_attempts) == 11  # the first try and 10 retries, then the task gave up
    assert mailoutbox == []

    monkeypatch.setattr(EmailMultiAlternatives, "send", SEND)
    assert notifications_resend(now=owed.created_at + timedelta(minutes=10)) == 0  # retries may still run
    assert notifications_resend(now=owed.created_at + timedelta(minutes=31)) == 1
    assert notifications_resend(now=owed.created_at + timedelta(minutes=41)) == 0

    owed.refresh_from_db()
    assert owed.sent_at is not None
    assert _subjects(mailoutbox) == [f"[Shop] Order {order.number} shipped"]


def test_the_sweep_leaves_old_emails_alone(mailoutbox):
    order, _variants = paid_order(1)
    Notification.objects.all().delete()  # the confirmation
    order_notify(order=order, kind="delivered", key="delivered")
    Notification.objects.update(created_at=timezone.now() - timedelta(days=4))

    assert notifications_resend() == 0
    assert mailoutbox == []


def test_an_email_rolled_back_with_its_change_is_not_owed(mailoutbox):
    order, _variants = paid_order(1)

    def change_that_fails() -> None:
        with transaction.atomic():
            order_notify(order=order, kind="delivered", key="delivered")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert not _about(order).exists()
    assert mailoutbox == []


def test_an_unknown_kind_is_a_programming_error():
    order, _variants = paid_order(1)

    with pytest.raises(KeyError, match=r"order\.birthday"):
        order_notify(order=order, kind="birthday", key="x")
