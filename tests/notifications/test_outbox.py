"""The one outbox (``notifications``): a message is a row written in the
caller's transaction and sent after commit, once; the same occasion (kind and
key) owes one message however often, and however concurrently, it is told; a
mail server that is down turns no page into an error and loses nothing (the
sweep sends it later); a sent message keeps only its envelope; the sweep lets
stale messages be and forgets old ones; account deletion erases what is kept
for the person and owes them one last email."""

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.test import Client
from django.utils import timezone

from notifications.kinds import KINDS
from notifications.models import Attachment, Notification
from notifications.rendering import render
from notifications.services import (
    KEEP,
    RESEND_AFTER,
    RESEND_WITHIN,
    notification_queue,
    notification_send,
    notifications_resend,
)
from orders.privacy import account_delete
from tests.concurrency import run_in_threads
from tests.factories import UserFactory

SEND = EmailMessage.send
LOW_STOCK = KINDS["catalog.low_stock"]
SUBJECT = "Low stock: SHIRT-M-BLUE Linen shirt (2 available)"


def _queue(key: str = "1", email: str = "ada@example.com", **kwargs: Any) -> Notification:
    """A real kind, with its sample (what the admin previews)."""
    notification = notification_queue(
        kind=LOW_STOCK.name,
        key=key,
        context=LOW_STOCK.sample,
        params=LOW_STOCK.sample_params,
        email=email,
        **kwargs,
    )
    assert notification is not None  # a staff message: always owed
    return notification


def _created(notification: Notification, at: Any) -> None:
    Notification.objects.filter(pk=notification.pk).update(created_at=at)


@pytest.fixture
def mail_server_down(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(message: EmailMessage, fail_silently: bool = False) -> int:
        attempts.append(str(message.subject))
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    return attempts


@pytest.mark.django_db(transaction=True)
def test_a_message_waits_for_the_commit_and_goes_with_a_rollback():
    with transaction.atomic():
        _queue()
        assert Notification.objects.count() == 1  # owed in the caller's transaction
        assert mail.outbox == []  # not sent before the commit

    assert [m.subject for m in mail.outbox] == [SUBJECT]
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Linen shirt, variant SHIRT-M-BLUE, is running low." in message.body
    assert isinstance(message, EmailMultiAlternatives)
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "https://shop.example.com/admin/catalog/variant/1/change/" in str(html)

    def change_that_fails() -> None:
        with transaction.atomic():
            _queue(key="2")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert list(Notification.objects.values_list("key", flat=True)) == ["1"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_keeps_only_its_envelope():
    with transaction.atomic():
        _queue()

    sent = Notification.objects.get()
    assert sent.sent_at is not None
    assert sent.attempts == 1
    assert sent.last_error == ""
    assert (sent.kind, sent.key, sent.email, sent.subject) == (
        LOW_STOCK.name,
        "1",
        "ada@example.com",
        SUBJECT,
    )
    assert (sent.text, sent.html) == ("", "")  # the text may hold one-time links


@pytest.mark.django_db(transaction=True)
def test_an_attachment_goes_with_its_email_once_then_is_deleted():
    with transaction.atomic():
        notification = _queue(attachments=[("report.pdf", b"%PDF-1.4 the report", "application/pdf")])
        assert Attachment.objects.filter(notification=notification).count() == 1
        assert mail.outbox == []  # after the commit

    (sent,) = mail.outbox
    assert sent.attachments == [("report.pdf", b"%PDF-1.4 the report", "application/pdf")]
    assert not Attachment.objects.exists()  # sent: only the envelope is kept
    assert notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sending_twice_sends_once():
    owed = _queue()
    assert owed.text  # rendered at once
    assert owed.html

    assert notification_send(notification_id=owed.pk) is True
    assert notification_send(notification_id=owed.pk) is False
    assert notification_send(notification_id=owed.pk + 1000) is False  # gone
    assert notification_send(notification_id=_queue(key="in-site only", email="").pk) is False  # no email
    assert len(mail.outbox) == 1
    owed.refresh_from_db()
    assert owed.attempts == 1


@pytest.mark.django_db
def test_the_same_occasion_twice_owes_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _queue()
        again = _queue(email="grace@example.com")  # an event heard twice, or a retry

    assert again.pk == first.pk
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        after_sending = _queue()

    assert after_sending.pk == first.pk
    assert callbacks == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_occasion_told_at_once_in_four_transactions_owes_one_message(monkeypatch):
    """Four transactions all find no message for the occasion (each waits at
    rendering until all have looked), then write it: one row wins, the others
    wait on the unique index, then return the winner's row; one email."""
    writers = 4
    all_looked = threading.Barrier(writers)

    def render_once_all_looked(*args: Any) -> Any:
        all_looked.wait(timeout=30)
        return render(*args)

    monkeypatch.setattr("notifications.services.render", render_once_all_looked)

    def tell(n: int) -> str:
        with transaction.atomic():
            return str(_queue(key="told at once").pk)

    outcomes = run_in_threads(writers, tell)

    (notification,) = Notification.objects.all()
    assert outcomes == Counter({str(notification.pk): writers})
    assert [m.subject for m in mail.outbox] == [SUBJECT]
    assert notification.sent_at is not None
    assert notification.attempts == 1


@pytest.mark.django_db
def test_an_unknown_kind_is_a_bug():
    with pytest.raises(KeyError, match=r"order\.lost"):
        notification_queue(kind="order.lost", key="1", context={}, email="ada@example.com")

    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_down_keeps_the_message_and_the_sweep_sends_it(mail_server_down, monkeypatch):
    with transaction.atomic():
        _queue()  # the change commits although the email cannot go

    owed = Notification.objects.get()
    assert len(mail_server_down) == 11  # the first try and 10 retries, then the task gave up
    assert owed.sent_at is None
    assert owed.attempts == 11
    assert owed.last_error == "ConnectionRefusedError: mail server down"
    assert "is running low" in owed.text  # kept to send later

    monkeypatch.setattr(EmailMessage, "send", SEND)
    assert notifications_resend(now=owed.created_at + timedelta(minutes=10)) == 0  # retries may still run
    assert notifications_resend(now=owed.created_at + RESEND_AFTER + timedelta(minutes=1)) == 1
    assert notifications_resend(now=owed.created_at + timedelta(minutes=41)) == 0  # sent
    assert [m.subject for m in mail.outbox] == [SUBJECT]
    owed.refresh_from_db()
    assert (owed.attempts, owed.text) == (12, "")


@pytest.mark.django_db
def test_the_sweep_leaves_stale_messages_and_forgets_old_ones():
    now = timezone.now()
    due = _queue(key="due")
    _created(due, now - RESEND_AFTER - timedelta(minutes=1))
    last_day = _queue(key="last day")
    _created(last_day, now - RESEND_WITHIN)
    stale = _queue(key="stale")  # a 3-day verification link is no news any more
    _created(stale, now - RESEND_WITHIN - timedelta(minutes=1))
    young = _queue(key="young")  # its task's retries may still run
    _created(young, now - RESEND_AFTER + timedelta(minutes=1))
    in_site_only = _queue(key="in-site only", email="")
    _created(in_site_only, now - timedelta(hours=1))
    old_owed = _queue(key="old owed")
    _created(old_owed, now - KEEP - timedelta(minutes=1))
    old_sent = _queue(key="old sent")
    Notification.objects.filter(pk=old_sent.pk).update(
        created_at=now - KEEP - timedelta(minutes=1), sent_at=now - KEEP, text="", html=""
    )
    kept_sent = _queue(key="kept sent")
    Notification.objects.filter(pk=kept_sent.pk).update(
        created_at=now - KEEP + timedelta(minutes=1), sent_at=now - KEEP, text="", html=""
    )

    assert notifications_resend(now=now) == 2

    assert len(mail.outbox) == 2
    assert {n.key: n.sent_at is not None for n in Notification.objects.all()} == {
        "due": True,
        "last day": True,
        "stale": False,
        "young": False,
        "in-site only": False,
        "kept sent": True,
    }


@pytest.mark.django_db(transaction=True)
def test_signup_and_password_reset_answer_while_the_mail_server_is_down(mail_server_down, monkeypatch):
    client = Client()
    password = "a-long-enough-passphrase-42"

    signup = client.post(
        "/accounts/signup/", {"email": "new@example.com", "password1": password, "password2": password}
    )
    reset = Client().post("/accounts/password/reset/", {"email": "new@example.com"})

    assert signup.status_code == 302
    assert reset.status_code == 302
    owed = list(Notification.objects.order_by("pk").values_list("kind", "email", "sent_at"))
    assert owed == [
        ("account.email_confirmation_signup", "new@example.com", None),
        ("account.password_reset_key", "new@example.com", None),
    ]

    monkeypatch.setattr(EmailMessage, "send", SEND)
    assert notifications_resend(now=timezone.now() + RESEND_AFTER + timedelta(minutes=1)) == 2
    assert sorted(m.subject for m in mail.outbox) == [
        "[Shop] Password Reset Email",
        "[Shop] Please Confirm Your Email Address",
    ]


@pytest.mark.django_db
def test_deleting_an_account_erases_its_messages_then_owes_one_goodbye(django_capture_on_commit_callbacks):
    user = UserFactory.create(email="ada@example.com")
    _queue(key="owed to ada")
    sent = _queue(key="sent to ada", email="ADA@example.com")
    notification_send(notification_id=sent.pk)
    order = KINDS["order.confirmation"]
    notification_queue(
        kind=order.name,
        key="7KQ2-M9XP-A4DE:paid",
        context=order.sample,
        params=order.sample_params,
        user=user,
        link="/orders/7KQ2-M9XP-A4DE/",
    )  # in-site only
    _queue(key="owed to grace", email="grace@example.com")
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user)
        owed = list(Notification.objects.order_by("pk").values_list("kind", "key", "email", "user_id"))
        assert owed == [
            (LOW_STOCK.name, "owed to grace", "grace@example.com", None),
            ("account.deleted", f"user:{user.pk}", "ada@example.com", None),
        ]
        assert mail.outbox == []

    (goodbye,) = mail.outbox
    assert goodbye.to == ["ada@example.com"]
    assert goodbye.subject == "[Shop] Your account was deleted"
    sent = Notification.objects.get(kind="account.deleted")
    assert sent.sent_at is not None
    assert (sent.email, sent.text, sent.html) == ("", "", "")  # once sent, not even the address is kept
    assert Notification.objects.filter(key="owed to grace", sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_staff_see_the_owed_messages_and_send_them_now(staff_client):
    owed = _queue()
    listing = "/admin/notifications/notification/"

    page = staff_client.get(listing + "?email=owed").content.decode()
    staff_client.post(listing, {"action": "send_now", "_selected_action": [owed.pk]})

    assert "ada@example.com" in page
    owed.refresh_from_db()
    assert owed.sent_at is not None
    assert [m.subject for m in mail.outbox] == [SUBJECT]
    assert staff_client.get(listing + "?email=sent").status_code == 200
    assert staff_client.get(f"{listing}{owed.pk}/change/").status_code == 200
