"""Preferences and consent: account and order messages always go; marketing
goes only to an address that confirmed it (double opt-in, by a signed link
that expires); wishlist alerts go until switched off, per channel; every
optional email carries a one-click unsubscribe (RFC 8058) that works with a
bare POST and never with a GET; an address that bounced hard or complained
(heard by anymail's tracking webhook) gets no optional email any more; bad
links and bad webhooks get a 4xx with a reason, never a 500."""

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from notifications import preferences, tokens
from notifications.kinds import KINDS, Group, Kind
from notifications.models import Channel, Notification, Preference, Suppression
from notifications.optin import marketing_optin_request, preferences_save
from notifications.services import notification_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADA = "ada@example.com"
ORDER = KINDS["order.shipped"]
WELCOME = KINDS["marketing.welcome"]
# A wishlist alert and an in-site marketing notice, as the apps that send
# them would declare them.
ALERT = Kind(
    name="wishlist.test_alert",
    group=Group.WISHLIST,
    label="Back in stock",
    template="notifications/email/order_status",
    subject="[%(shop)s] Back in stock",
    site_title="Back in stock",
    texts={"headline": "Back in stock", "message": "The linen shirt is back."},
)
NEWS = Kind(
    name="marketing.test_news",
    group=Group.MARKETING,
    label="News",
    template="notifications/email/order_status",
    subject="[%(shop)s] News",
    site_title="Our winter sale",
    texts={"headline": "Winter sale", "message": "Everything is cheaper."},
)
WEBHOOK_SECRET = "anymail:s3cret-webhook"


@pytest.fixture(autouse=True)
def _test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, ALERT.name, ALERT)
    monkeypatch.setitem(KINDS, NEWS.name, NEWS)


def _queue(kind: Kind, key: str = "1", **kwargs: Any) -> Notification | None:
    return notification_queue(
        kind=kind.name, key=key, context=kind.sample, params=kind.sample_params, **kwargs
    )


def _send(callbacks: Any, kind: Kind, key: str = "1", **kwargs: Any) -> Notification | None:
    with callbacks(execute=True):
        return _queue(kind, key, **kwargs)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _confirm_path(message: EmailMessage) -> str:
    """The double opt-in's link in the confirmation's text, as a path."""
    (url,) = re.findall(r"https?://\S+/notifications/confirm/\S+/", str(message.body))
    return _path(url)


def _html(message: EmailMessage) -> str:
    assert isinstance(message, EmailMultiAlternatives)
    content, _mimetype = message.alternatives[0]
    return str(content)


# --- Who gets what ----------------------------------------------------------------------


def test_marketing_is_owed_to_nobody_who_did_not_opt_in():
    user = UserFactory.create(email=ADA)

    assert _queue(WELCOME, email=ADA, user=user) is None
    assert _queue(NEWS, email=ADA, user=user) is None
    assert not Notification.objects.exists()


def test_wishlist_alerts_go_by_default_and_each_channel_switches_off_alone(
    django_capture_on_commit_callbacks,
):
    user = UserFactory.create(email=ADA)

    first = _send(django_capture_on_commit_callbacks, ALERT, "1", email=ADA, user=user)
    preferences.email_preference_set(email=ADA, group=Group.WISHLIST, enabled=False, source="test")
    site_only = _send(django_capture_on_commit_callbacks, ALERT, "2", email=ADA, user=user)
    preferences.site_preference_set(user=user, group=Group.WISHLIST, enabled=False, source="test")
    nothing = _send(django_capture_on_commit_callbacks, ALERT, "3", email=ADA, user=user)

    assert first is not None
    assert (first.email, first.title) == (ADA, "Back in stock")
    assert site_only is not None
    assert (site_only.email, site_only.user_id, site_only.title) == ("", user.pk, "Back in stock")
    assert nothing is None
    assert [message.to for message in mail.outbox] == [[ADA]]


def test_in_site_marketing_is_a_choice_of_its_own(django_capture_on_commit_callbacks):
    user = UserFactory.create(email=ADA)
    preferences.site_preference_set(user=user, group=Group.MARKETING, enabled=True, source="test")

    notice = _send(django_capture_on_commit_callbacks, NEWS, email=ADA, user=user)

    assert notice is not None
    assert (notice.email, notice.title) == ("", "Our winter sale")  # the address never confirmed
    assert mail.outbox == []


def test_order_messages_go_to_an_address_that_opted_out_and_is_suppressed(django_capture_on_commit_callbacks):
    user = UserFactory.create(email=ADA)
    preferences.email_unsubscribe(email=ADA, group=Group.WISHLIST)
    Suppression.objects.create(email=ADA, reason=Suppression.Reason.COMPLAINED)

    order = _send(django_capture_on_commit_callbacks, ORDER, email=ADA, user=user)
    alert = _send(django_capture_on_commit_callbacks, ALERT, email=ADA)

    assert order is not None
    assert (order.email, order.title) == (ADA, "Your order 7KQ2-M9XP-A4DE is on its way")
    assert alert is None
    assert [message.subject for message in mail.outbox] == ["[Shop] Order 7KQ2-M9XP-A4DE shipped"]


def test_transactional_groups_cannot_be_switched_off_by_a_service():
    user = UserFactory.create(email=ADA)

    with pytest.raises(preferences.NotChoosable):
        preferences.email_preference_set(email=ADA, group=Group.ORDERS, enabled=False, source="test")
    with pytest.raises(preferences.NotChoosable):
        preferences_save(user=user, choices={(Group.ACCOUNT, Channel.EMAIL): False})
    with pytest.raises(preferences.NotChoosable):  # marketing only by the confirmation's link
        preferences.email_preference_set(email=ADA, group=Group.MARKETING, enabled=True, source="test")
    assert not Preference.objects.exists()


# --- The preferences page ---------------------------------------------------------------


def test_the_preferences_page_needs_a_sign_in_and_shows_fixed_groups_as_always_on(client):
    assert client.get("/notifications/preferences/").status_code == 302
    user = UserFactory.create(email=ADA)
    client.force_login(user)

    response = client.get("/notifications/preferences/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Order updates" in html
    assert html.count("(always on)") == 4  # account and orders, by email and in the site
    assert '<input type="checkbox" name="wishlist_email" id="id_wishlist_email" checked>' in html
    assert '<input type="checkbox" name="marketing_email" id="id_marketing_email">' in html
    assert '<label for="id_marketing_email">By email</label>' in html
    # Linked from the account pages.
    assert 'href="/notifications/preferences/" aria-current="page"' in html
    assert 'href="/notifications/preferences/"' in client.get(reverse("accounts:profile")).content.decode()


def test_saving_switches_wishlist_alerts_and_a_forged_post_cannot_switch_orders_off(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory.create(email=ADA)
    client.force_login(user)

    response = client.post(
        "/notifications/preferences/",
        {"wishlist_site": "on", "reviews_email": "on", "reviews_site": "on", "orders_email": "",
         "orders": "off", "account_email": "0"},
    )  # fmt: skip

    assert response.status_code == 302
    assert preferences.preferences_for(user=user) == {
        ("marketing", "email"): False,
        ("marketing", "site"): False,
        ("wishlist", "email"): False,
        ("wishlist", "site"): True,
        ("reviews", "email"): True,
        ("reviews", "site"): True,
    }
    assert set(Preference.objects.values_list("group", flat=True)) == {"wishlist"}
    order = _send(django_capture_on_commit_callbacks, ORDER, email=ADA, user=user)
    assert order is not None
    assert order.email == ADA
    assert [message.subject for message in mail.outbox] == ["[Shop] Order 7KQ2-M9XP-A4DE shipped"]


# --- Double opt-in ----------------------------------------------------------------------


def test_marketing_starts_only_when_the_emailed_link_is_followed(client, django_capture_on_commit_callbacks):
    user = UserFactory.create(email=ADA)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/notifications/preferences/", {"marketing_email": "on", "wishlist_email": "on"}
        )

    assert response.status_code == 302
    (confirmation,) = mail.outbox
    assert confirmation.subject == "[Shop] Please confirm you want our news and offers"
    assert "List-Unsubscribe" not in confirmation.extra_headers
    confirm_path = _confirm_path(confirmation)
    # Nothing yet: not by asking, not by opening the link (a scanner may).
    assert preferences.email_allows(group=Group.MARKETING, email=ADA) is False
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(confirm_path)
    assert page.status_code == 200
    assert "Yes, send me news and offers" in page.content.decode()
    assert preferences.email_allows(group=Group.MARKETING, email=ADA) is False
    assert _queue(WELCOME, "before", email=ADA) is None

    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm_path)

    assert done.status_code == 200
    assert preferences.email_allows(group=Group.MARKETING, email=ADA) is True
    row = Preference.objects.get(channel="email", email=ADA, group="marketing")
    assert (row.enabled, row.confirmed_at is not None, row.source) == (True, True, "double opt-in")
    (welcome,) = mail.outbox
    assert welcome.subject == "[Shop] You will hear about our news and offers"
    assert welcome.to == [ADA]
    # Followed again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(confirm_path).status_code == 200
    assert len(mail.outbox) == 1


def test_a_guest_subscribes_by_double_opt_in_with_one_confirmation_a_day(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = client.post("/notifications/subscribe/", {"email": "Grace@Example.com"})
            assert response.status_code == 200

    (confirmation,) = mail.outbox
    assert confirmation.to == ["grace@example.com"]
    confirm_path = _confirm_path(confirmation)
    assert client.post(confirm_path).status_code == 200
    assert preferences.email_allows(group=Group.MARKETING, email="grace@example.com") is True
    assert marketing_optin_request(email="GRACE@example.com") is False  # has it: nothing sent


def test_one_client_asks_for_ten_subscriptions_an_hour_at_most(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post("/notifications/subscribe/", {"email": f"stranger{n}@example.com"}).status_code
            for n in range(11)
        ]

    assert answers == [200] * 10 + [429]
    assert len(mail.outbox) == 10


def test_a_bad_address_to_subscribe_is_a_400_with_the_reason(client):
    response = client.post("/notifications/subscribe/", {"email": "not an address"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_tampered_cut_and_expired_confirmation_links_are_refused(client, monkeypatch):
    token = tokens.confirm_token(email=ADA, group=Group.MARKETING)
    forged = tokens.confirm_token(email=ADA, group=Group.MARKETING).replace(":", ":x", 1)
    other_salt = tokens.unsubscribe_token(email=ADA, group=Group.MARKETING)

    for bad in (forged, token[:-3], other_salt, "nonsense"):
        response = client.post(f"/notifications/confirm/{bad}/")
        assert response.status_code == 400, bad
        assert "This link does not work" in response.content.decode()
    monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    for method in (client.get, client.post):
        expired = method(f"/notifications/confirm/{token}/")
        assert expired.status_code == 400
        assert "This link has expired" in expired.content.decode()
    assert not Preference.objects.exists()


# --- Unsubscribe (RFC 8058) ---------------------------------------------------------------


def test_optional_emails_carry_one_click_unsubscribe_and_order_emails_do_not(
    django_capture_on_commit_callbacks,
):
    preferences.email_preference_set(
        email=ADA, group=Group.MARKETING, enabled=True, source="test", confirmed=True
    )

    _send(django_capture_on_commit_callbacks, WELCOME, email=ADA)
    _send(django_capture_on_commit_callbacks, ALERT, email=ADA)
    _send(django_capture_on_commit_callbacks, ORDER, email=ADA)

    welcome, alert, order = mail.outbox
    for message in (welcome, alert):
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        assert re.fullmatch(r"<http://127\.0\.0\.1:8000/notifications/unsubscribe/[^/]+/>", unsubscribe)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = unsubscribe[1:-1]
        assert f"Unsubscribe: {url}" in message.body  # the footer's link
        html = _html(message)
        assert f'<a href="{url}" style="color: #1f4e79;">Unsubscribe</a>' in html
    assert welcome.extra_headers["List-Unsubscribe"] != alert.extra_headers["List-Unsubscribe"]
    assert "List-Unsubscribe" not in order.extra_headers
    assert "List-Unsubscribe-Post" not in order.extra_headers
    assert "Unsubscribe" not in order.body
    assert "Unsubscribe" not in _html(order)


def test_a_one_click_post_without_sign_in_or_csrf_unsubscribes_and_a_get_does_not(
    django_capture_on_commit_callbacks,
):
    preferences.email_preference_set(
        email=ADA, group=Group.MARKETING, enabled=True, source="test", confirmed=True
    )
    _send(django_capture_on_commit_callbacks, WELCOME, email=ADA)
    (message,) = mail.outbox
    path = _path(message.extra_headers["List-Unsubscribe"][1:-1])
    mail_client = Client(enforce_csrf_checks=True)

    page = mail_client.get(path)  # a person, or a link scanner
    assert page.status_code == 200
    assert f'<form method="post" action="{path}">' in page.content.decode()
    assert preferences.email_allows(group=Group.MARKETING, email=ADA) is True

    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert preferences.email_allows(group=Group.MARKETING, email=ADA) is False
    assert preferences.email_allows(group=Group.WISHLIST, email=ADA) is True  # that group only
    assert _queue(WELCOME, "after", email=ADA) is None
    assert mail_client.post(path).status_code == 200  # again: still unsubscribed, no error


def test_a_tampered_unsubscribe_link_is_a_400_page(client):
    token = tokens.unsubscribe_token(email=ADA, group=Group.MARKETING)
    transactional = tokens.unsubscribe_token(email=ADA, group=Group.ORDERS)

    for bad in (token[:-2] + "xx", "a:b:c", transactional):
        for method in (client.get, client.post):
            response = method(f"/notifications/unsubscribe/{bad}/")
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode()
    assert not Preference.objects.exists()


# --- Bounces and complaints (anymail's tracking webhook, Postmark's payloads) --------------------


def _postmark(client: Client, payload: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        "/anymail/postmark/tracking/",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def _bounce(email: str, kind: str = "HardBounce", record: str = "Bounce") -> dict[str, Any]:
    """Postmark's bounce webhook, as its documentation shows it."""
    return {
        "RecordType": record,
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "shop@example.com",
        "BouncedAt": "2026-12-06T01:44:00Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "News",
    }


@pytest.fixture
def webhook_secret(settings: Any) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}


@pytest.mark.usefixtures("webhook_secret")
def test_a_hard_bounce_suppresses_optional_email_but_not_order_email(
    client, django_capture_on_commit_callbacks
):
    preferences.email_preference_set(
        email=ADA, group=Group.MARKETING, enabled=True, source="test", confirmed=True
    )

    response = _postmark(client, _bounce("Ada@Example.com"))
    assert _postmark(client, _bounce(ADA)).status_code == 200  # heard twice: one suppression

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.provider) == (ADA, "bounced", "Postmark")
    assert suppression.detail.startswith("The server was unable to deliver your message")
    assert _send(django_capture_on_commit_callbacks, WELCOME, email=ADA) is None
    assert _send(django_capture_on_commit_callbacks, ALERT, email=ADA) is None
    assert _send(django_capture_on_commit_callbacks, ORDER, email=ADA) is not None
    assert [message.subject for message in mail.outbox] == ["[Shop] Order 7KQ2-M9XP-A4DE shipped"]


@pytest.mark.usefixtures("webhook_secret")
def test_a_complaint_suppresses_and_a_soft_bounce_does_not(client):
    complaint = {
        **_bounce("grace@example.com", kind="SpamComplaint", record="SpamComplaint"),
        "TypeCode": 512,
    }

    assert _postmark(client, _bounce(ADA, kind="SoftBounce")).status_code == 200
    assert _postmark(client, complaint).status_code == 200

    assert list(Suppression.objects.values_list("email", "reason")) == [("grace@example.com", "complained")]
    assert preferences.email_allows(group=Group.WISHLIST, email=ADA) is True
    assert preferences.email_allows(group=Group.WISHLIST, email="grace@example.com") is False


@pytest.mark.usefixtures("webhook_secret")
def test_the_webhook_refuses_a_wrong_secret_and_lets_other_events_be(client):
    wrong = _postmark(client, _bounce(ADA), secret="anymail:guess")
    delivered = _postmark(client, {"RecordType": "Delivery", "Recipient": ADA, "MessageID": "1"})
    no_address = _postmark(client, {**_bounce(ADA), "Email": None})

    assert wrong.status_code == 400
    assert (delivered.status_code, no_address.status_code) == (200, 200)
    assert not Suppression.objects.exists()


@pytest.mark.usefixtures("webhook_secret")
@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"a string"'])
def test_a_body_the_webhook_cannot_read_is_a_400_with_the_reason(client, body):
    auth = base64.b64encode(WEBHOOK_SECRET.encode()).decode()

    response = client.post(
        "/anymail/postmark/tracking/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )

    assert response.status_code == 400
    assert b"could not be read" in response.content
    assert not Suppression.objects.exists()


def test_the_webhook_is_shut_until_its_secret_is_configured(client):
    assert _postmark(client, _bounce(ADA)).status_code == 400
    assert not Suppression.objects.exists()


# --- Staff --------------------------------------------------------------------------------


def test_staff_see_preferences_suppressions_and_preview_the_marketing_kinds(staff_client):
    preferences.email_unsubscribe(email=ADA, group=Group.WISHLIST)
    Suppression.objects.create(
        email="grace@example.com", reason=Suppression.Reason.BOUNCED, provider="Postmark"
    )

    preferences_page = staff_client.get("/admin/notifications/preference/")
    suppressions = staff_client.get("/admin/notifications/suppression/")
    kinds = staff_client.get("/admin/notifications/notification/kinds/")

    assert preferences_page.status_code == suppressions.status_code == kinds.status_code == 200
    assert ADA in preferences_page.content.decode()
    assert "grace@example.com" in suppressions.content.decode()
    assert "Hard bounce" in suppressions.content.decode()
    for kind in ("marketing.confirm", "marketing.welcome"):
        assert kind in kinds.content.decode()
        preview = staff_client.get(f"/admin/notifications/notification/kinds/{kind}/")
        assert preview.status_code == 200
        assert staff_client.get(f"/admin/notifications/notification/kinds/{kind}/html/").status_code == 200
