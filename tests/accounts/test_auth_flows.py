"""The email/password account flows of django-allauth as shop/settings.py
configures them, driven through the real views with the test client."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.conftest import PRODUCTION_PASSWORD_HASHERS
from tests.factories import DEFAULT_PASSWORD, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new secret"
VERIFICATION_SENT_PAGE = "If this is a new account, follow the link in it to confirm your address."
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[-:\w]+/)")
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/([0-9A-Za-z]+)-[^/\s]+/)")
DAY = 24 * 60 * 60


class Clock:
    """Moves ``time.time`` forward: the clock that Django's TimestampSigner
    (allauth's HMAC confirmation keys) and allauth's rate limits read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real_time: Callable[[], float] = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() + self.offset)

    def travel_to(self, seconds_from_now: float) -> None:
        self.offset = seconds_from_now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _signup(client: Client, email: str, password: str = DEFAULT_PASSWORD) -> Response:
    return client.post("/accounts/signup/", {"email": email, "password1": password})


def _login(client: Client, email: str, password: str = DEFAULT_PASSWORD) -> Response:
    return client.post("/accounts/login/", {"login": email, "password": password})


def _logged_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def _only_link(pattern: re.Pattern[str], body: str) -> str:
    links = {match.group(1) for match in pattern.finditer(body)}
    assert len(links) == 1, body
    return links.pop()


def _confirm_link(message: mail.EmailMessage) -> str:
    return _only_link(CONFIRM_LINK, str(message.body))


# --- 1. Sign-up and verification -------------------------------------------


def test_signup_creates_an_unverified_account_and_mails_a_confirmation_link(client):
    response = _signup(client, "new@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new@example.com")
    assert user.check_password(DEFAULT_PASSWORD)
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("new@example.com", False, True)
    ]
    assert _logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert mail.outbox[0].subject == "[Shop] Please Confirm Your Email Address"
    assert _confirm_link(mail.outbox[0]).startswith("/accounts/confirm-email/")
    assert VERIFICATION_SENT_PAGE in client.get(response["Location"]).text


def test_login_before_verification_shows_the_verification_page_and_does_not_log_in(client):
    _signup(client, "new@example.com")
    client.logout()

    response = _login(client, "new@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert _logged_in_user_id(client) is None
    # Within the three-minute cooldown no second mail goes out: the first link still works.
    assert len(mail.outbox) == 1


def test_confirming_the_link_by_post_verifies_the_email_and_allows_login(client):
    _signup(client, "new@example.com")
    link = _confirm_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert not EmailAddress.objects.get(email="new@example.com").verified  # GET alone confirms nothing
    confirmed = client.post(link)
    login = _login(client, "new@example.com")

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified is True
    assert login.status_code == 302
    assert login["Location"] == "/accounts/profile/"
    assert _logged_in_user_id(client) == User.objects.get(email="new@example.com").pk


# --- 2. Expiry and resending -----------------------------------------------


def test_confirmation_link_stops_working_after_the_configured_number_of_days(client, clock):
    _signup(client, "new@example.com")
    link = _confirm_link(mail.outbox[0])
    lifetime = settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS * DAY

    clock.travel_to(lifetime + 1)
    expired_page = client.get(link)
    expired_post = client.post(link)

    assert "This email confirmation link expired or is invalid." in expired_page.text
    assert expired_post.status_code == 404
    assert EmailAddress.objects.get(email="new@example.com").verified is False

    clock.travel_to(lifetime - 60)
    client.post(link)

    assert EmailAddress.objects.get(email="new@example.com").verified is True


def test_logging_in_again_after_expiry_mails_a_new_link_that_works(client, clock):
    _signup(client, "new@example.com")
    clock.travel_to(settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS * DAY + 1)

    response = _login(client, "new@example.com")

    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["new@example.com"]
    new_link = _confirm_link(mail.outbox[1])
    assert new_link != _confirm_link(mail.outbox[0])
    client.post(new_link)
    assert EmailAddress.objects.get(email="new@example.com").verified is True


def test_a_logged_in_user_can_resend_the_verification_of_an_added_address(client, clock):
    user = UserFactory.create(email="old@example.com")
    _login(client, "old@example.com")
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert len(mail.outbox) == 1
    clock.travel_to(4 * 60)  # past the three-minute resend cooldown

    response = client.post("/accounts/email/", {"action_send": "", "email": "new@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/email/"
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["new@example.com"]
    client.post(_confirm_link(mail.outbox[1]))
    user.refresh_from_db()
    assert user.email == "new@example.com"


# --- 3. Password reset -----------------------------------------------------


def _page_text(response: Response) -> str:
    """The page without what differs on every request (CSP nonce, CSRF token)."""
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', text)


def test_password_reset_answers_known_and_unknown_addresses_identically(client):
    UserFactory.create(email="known@example.com")

    known = client.post("/accounts/password/reset/", {"email": "known@example.com"})
    known_page = client.get(known["Location"])
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    unknown_page = client.get(unknown["Location"])

    assert (known.status_code, known["Location"]) == (302, "/accounts/password/reset/done/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/accounts/password/reset/done/")
    assert known_page.status_code == unknown_page.status_code == 200
    assert _page_text(known_page) == _page_text(unknown_page)
    assert "We have sent you an email." in known_page.text
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["known@example.com"], "[Shop] Password Reset Email"),
        (["nobody@example.com"], "[Shop] Unknown Account"),
    ]
    assert RESET_LINK.search(str(mail.outbox[0].body))
    assert not RESET_LINK.search(str(mail.outbox[1].body))


def test_password_reset_link_sets_a_new_password_that_works_for_login(client):
    user = UserFactory.create(email="known@example.com")
    client.post("/accounts/password/reset/", {"email": "known@example.com"})
    link = _only_link(RESET_LINK, str(mail.outbox[0].body))
    uidb36 = link.removeprefix("/accounts/password/reset/key/").split("-", 1)[0]

    form_page = client.get(link)
    assert form_page.status_code == 302
    # The key leaves the URL (and so the Referer) for one kept in the session.
    assert form_page["Location"] == f"/accounts/password/reset/key/{uidb36}-set-password/"
    done = client.post(form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _login(client, "known@example.com", DEFAULT_PASSWORD).status_code == 200
    assert _logged_in_user_id(client) is None
    assert _login(client, "known@example.com", NEW_PASSWORD)["Location"] == "/accounts/profile/"
    assert _logged_in_user_id(client) == user.pk


def test_a_used_password_reset_link_cannot_be_used_again(client):
    UserFactory.create(email="known@example.com")
    client.post("/accounts/password/reset/", {"email": "known@example.com"})
    link = _only_link(RESET_LINK, str(mail.outbox[0].body))
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    again = client.get(link)

    assert again.status_code == 200
    assert "The password reset link was invalid" in again.text


# --- 4. Password change ----------------------------------------------------


def test_a_logged_in_user_changes_the_password_and_stays_logged_in(client):
    user = UserFactory.create(email="known@example.com")
    _login(client, "known@example.com")

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _logged_in_user_id(client) == user.pk
    assert [(m.to, m.subject) for m in mail.outbox] == [(["known@example.com"], "[Shop] Password Changed")]
    client.logout()
    assert _login(client, "known@example.com", NEW_PASSWORD)["Location"] == "/accounts/profile/"


def test_password_change_needs_the_current_password(client):
    user = UserFactory.create(email="known@example.com")
    _login(client, "known@example.com")

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not my password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"oldpassword": ["Please type your current password."]}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_change_page_needs_login(client):
    response = client.get("/accounts/password/change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


# --- 5. Change of email with re-verification ----------------------------


def test_adding_an_email_keeps_the_login_email_until_the_new_one_is_verified(client):
    user = UserFactory.create(email="old@example.com")
    _login(client, "old@example.com")

    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/email/"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["new@example.com"], "[Shop] Please Confirm Your Email Address")
    ]
    user.refresh_from_db()
    assert user.email == "old@example.com"
    assert set(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == {
        ("old@example.com", True, True),
        ("new@example.com", False, False),
    }
    client.logout()
    assert _login(client, "new@example.com")["Location"] == "/accounts/confirm-email/"
    assert _logged_in_user_id(client) is None

    client.post(_confirm_link(mail.outbox[0]))

    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("new@example.com", True, True)
    ]
    assert (mail.outbox[-1].to, mail.outbox[-1].subject) == (["old@example.com"], "[Shop] Email Changed")
    assert _login(client, "old@example.com").status_code == 200
    assert _logged_in_user_id(client) is None
    assert _login(client, "new@example.com")["Location"] == "/accounts/profile/"
    assert _logged_in_user_id(client) == user.pk


# --- 6. Password rules -----------------------------------------------------


def _password1_errors(response: Response) -> list[str]:
    assert response.status_code == 200
    return list(response.context["form"].errors.get("password1", []))


def test_passwords_are_stored_with_argon2_by_the_production_hashers(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS

    _signup(client, "new@example.com", "quiet lamp")

    user = User.objects.get(email="new@example.com")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("quiet lamp")


def test_signup_refuses_a_nine_character_password(client):
    response = _signup(client, "new@example.com", "quietlamp")

    assert (
        _password1_errors(response)[0]
        == "This password is too short. It must contain at least 10 characters."
    )
    assert "This password is too short. It must contain at least 10 characters." in response.text
    assert not User.objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


def test_signup_accepts_ten_lower_case_characters_without_composition_rules(client):
    response = _signup(client, "new@example.com", "quiet lamp")

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("quiet lamp")


@pytest.mark.parametrize("password", ["password123", "1234567890"])
def test_signup_refuses_a_common_password(client, password):
    response = _signup(client, "new@example.com", password)

    assert _password1_errors(response)[:2] == [
        "This password is too common.",
        "Your password is too guessable: It would take an offline attacker less than a second to guess it.",
    ]
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize(
    ("password", "warning"),
    [
        ("123456789012", "Warning: This is similar to a commonly used password"),
        (
            "passwordpassword",
            'Warning: Repeats like "abcabcabc" are only slightly harder to guess than "abc"',
        ),
        ("qwertyuiopasdf", "Warning: This is similar to a commonly used password"),
        (
            "Shop2026Shop2026",
            'Warning: Repeats like "abcabcabc" are only slightly harder to guess than "abc"',
        ),
    ],
)
def test_signup_refuses_a_predictable_password_and_says_why(client, password, warning):
    response = _signup(client, "new@example.com", password)

    errors = _password1_errors(response)
    assert errors[0].startswith("Your password is too guessable: It would take an offline attacker ")
    assert warning in errors
    assert "Your password is too guessable" in response.text
    assert not User.objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("password", ["123456789012", "passwordpassword"])
def test_password_change_refuses_a_predictable_password(client, password):
    user = UserFactory.create(email="known@example.com")
    _login(client, "known@example.com")

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"][0].startswith("Your password is too guessable:")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    "password", ["quiet lamp", "correct horse battery", "demo-customer-password", "marmalade on the ferry"]
)
def test_signup_accepts_a_passphrase(client, password):
    response = _signup(client, "new@example.com", password)

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").check_password(password)


def test_signup_refuses_a_password_too_similar_to_the_email(client):
    response = _signup(client, "margaretha.lindqvist@example.com", "margaretha.lindqvist")

    assert _password1_errors(response) == ["The password is too similar to the email address."]
    assert not User.objects.filter(email="margaretha.lindqvist@example.com").exists()


# --- 7. No user enumeration -----------------------------------------------


def test_signup_with_a_taken_email_looks_like_a_new_signup_and_mails_the_owner(client):
    owner = UserFactory.create(email="taken@example.com")

    new = _signup(client, "fresh@example.com", "quiet lamp one")
    new_page = client.get(new["Location"])
    client.logout()
    taken = _signup(client, "taken@example.com", "quiet lamp two")
    taken_page = client.get(taken["Location"])

    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert new["Location"] == "/accounts/confirm-email/"
    # The pages differ only in the address the visitor typed themselves.
    assert _page_text(taken_page).replace("taken@", "fresh@") == _page_text(new_page)
    assert "Confirmation email sent to taken@example.com." in taken_page.text
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["fresh@example.com"], "[Shop] Please Confirm Your Email Address"),
        (["taken@example.com"], "[Shop] Account Already Exists"),
    ]


def test_login_errors_do_not_tell_unknown_emails_from_wrong_passwords(client):
    UserFactory.create(email="known@example.com")

    unknown = _login(client, "nobody@example.com", DEFAULT_PASSWORD)
    wrong = _login(client, "known@example.com", "not the password")

    assert unknown.status_code == wrong.status_code == 200
    expected = ["The email address and/or password you specified are not correct."]
    assert unknown.context["form"].non_field_errors() == expected
    assert wrong.context["form"].non_field_errors() == expected
    assert _logged_in_user_id(client) is None
