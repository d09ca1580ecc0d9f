"""The shop-wide email outbox: a message is a row written in the caller's
transaction and sent after commit, once; a mail server that is down turns
no page into an error and loses nothing (the sweep sends it later); a sent
message keeps only its envelope; account deletion erases what is kept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.test import Client
from django.utils import timezone

from orders.privacy import account_delete
from shop.models import OutboundEmail
from shop.outbox import outbound_email_queue, outbound_email_send, outbound_emails_resend
from tests.factories import UserFactory

SEND = EmailMessage.send


def _message(to: str = "ada@example.com") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject="Hello", body="Text with a link", to=[to])
    message.attach_alternative("<p>HTML with a link</p>", "text/html")
    return message


@pytest.fixture
def mail_server_down(monkeypatch):
    attempts: list[str] = []

    def refuse(message, fail_silently=False):
        attempts.append(message.subject)
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    return attempts


@pytest.mark.django_db(transaction=True)
def test_a_message_waits_for_the_commit_and_goes_with_a_rollback():
    with transaction.atomic():
        outbound_email_queue(message=_message(), purpose="test")
        assert mail.outbox == []  # not before the commit

    assert [m.subject for m in mail.outbox] == ["Hello"]
    (sent,) = OutboundEmail.objects.all()
    assert sent.sent_at is not None
    assert (sent.body, sent.html) == ("", "")  # only the envelope is kept
    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert [(str(content), mimetype) for content, mimetype in message.alternatives] == [
        ("<p>HTML with a link</p>", "text/html")
    ]

    def change_that_fails() -> None:
        with transaction.atomic():
            outbound_email_queue(message=_message(), purpose="test")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sending_twice_sends_once():
    owed = outbound_email_queue(message=_message(), purpose="test")

    assert outbound_email_send(email_id=owed.pk) is True
    assert outbound_email_send(email_id=owed.pk) is False
    assert outbound_email_send(email_id=owed.pk + 1000) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_down_keeps_the_message_and_the_sweep_sends_it(mail_server_down, monkeypatch):
    with transaction.atomic():
        outbound_email_queue(message=_message(), purpose="test")

    (owed,) = OutboundEmail.objects.all()
    assert len(mail_server_down) == 11  # the first try and 10 retries, then the task gave up
    assert owed.sent_at is None
    assert owed.attempts == 11
    assert owed.last_error == "ConnectionRefusedError: mail server down"
    assert owed.body == "Text with a link"

    monkeypatch.setattr(EmailMessage, "send", SEND)
    assert outbound_emails_resend(now=owed.created_at + timedelta(minutes=10)) == 0  # retries may still run
    assert outbound_emails_resend(now=owed.created_at + timedelta(minutes=31)) == 1
    assert outbound_emails_resend(now=owed.created_at + timedelta(minutes=41)) == 0
    assert [m.subject for m in mail.outbox] == ["Hello"]


@pytest.mark.django_db
def test_the_sweep_forgets_old_envelopes_and_leaves_stale_messages():
    stale = outbound_email_queue(message=_message(), purpose="test")
    sent = outbound_email_queue(message=_message(), purpose="test")
    OutboundEmail.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=4))
    OutboundEmail.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - timedelta(days=31))

    assert outbound_emails_resend() == 0
    assert list(OutboundEmail.objects.values_list("pk", flat=True)) == [stale.pk]


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
    owed = list(OutboundEmail.objects.order_by("pk").values_list("purpose", "recipient", "sent_at"))
    assert owed == [
        ("email_confirmation_signup", "new@example.com", None),
        ("password_reset_key", "new@example.com", None),
    ]

    monkeypatch.setattr(EmailMessage, "send", SEND)
    assert outbound_emails_resend(now=timezone.now() + timedelta(minutes=31)) == 2
    assert sorted(m.subject for m in mail.outbox) == [
        "[Shop] Password Reset Email",
        "[Shop] Please Confirm Your Email Address",
    ]


@pytest.mark.django_db
def test_deleting_an_account_erases_its_messages():
    user = UserFactory.create(email="ada@example.com")
    outbound_email_queue(message=_message("ada@example.com"), purpose="test")
    outbound_email_queue(message=_message("grace@example.com"), purpose="test")

    account_delete(user=user)

    assert list(OutboundEmail.objects.values_list("recipient", flat=True)) == ["grace@example.com"]


@pytest.mark.django_db
def test_staff_see_the_owed_messages_and_send_them_now(staff_client):
    owed = outbound_email_queue(message=_message(), purpose="test")
    listing = "/admin/shop/outboundemail/"

    page = staff_client.get(listing + "?sent=no").content.decode()
    staff_client.post(listing, {"action": "send_now", "_selected_action": [owed.pk]})

    assert "ada@example.com" in page
    owed.refresh_from_db()
    assert owed.sent_at is not None
    assert staff_client.get(listing + "?sent=yes").status_code == 200
    assert staff_client.get(f"{listing}{owed.pk}/change/").status_code == 200
