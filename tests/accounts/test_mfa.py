"""Two-factor authentication (allauth TOTP and recovery codes) and the rule
that staff use the admin only after the two-factor step of their session."""

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import urlencode

import pytest
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
MFA_AUTHENTICATE_URL = "/accounts/2fa/authenticate/"
MFA_REAUTHENTICATE_URL = "/accounts/2fa/reauthenticate/"
TOTP_ACTIVATE_URL = "/accounts/2fa/totp/activate/"
RECOVERY_CODES_URL = "/accounts/2fa/recovery-codes/"
PASSWORD_REAUTHENTICATE_URL = "/accounts/reauthenticate/"
PROFILE_URL = "/accounts/profile/"
TOTP_PERIOD = 30


def _totp(secret: str, *, at: float) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), written out here rather than
    borrowed from allauth so that the test checks allauth's arithmetic."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // TOTP_PERIOD), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _current_totp(secret: str) -> str:
    """The code an authenticator app shows now; waits for the next period when
    this one is about to end, so the server sees the same period."""
    now = time.time()
    if TOTP_PERIOD - now % TOTP_PERIOD < 2:
        time.sleep(TOTP_PERIOD - now % TOTP_PERIOD + 0.1)
        now = time.time()
    return _totp(secret, at=now)


def _stale_totp(secret: str) -> str:
    """The code the app showed five minutes ago: well formed, no longer valid."""
    now = time.time()
    stale = _totp(secret, at=now - 300)
    assert stale != _totp(secret, at=now)
    return stale


def _with_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _login_with_password(client: Client, user: User, next_url: str = "") -> str:
    url = f"{LOGIN_URL}?{urlencode({'next': next_url})}" if next_url else LOGIN_URL
    response = client.post(url, {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def _is_logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def _mfa_methods(client: Client, user: User) -> list[str]:
    request = client.get(PROFILE_URL).wsgi_request
    return [record["method"] for record in get_authentication_records(request, user)]


# --- Activation -------------------------------------------------------------


def test_activating_totp_asks_for_the_password_again_first():
    user = UserFactory.create()
    client = Client()
    client.force_login(user)

    response = client.get(TOTP_ACTIVATE_URL)

    assert response.status_code == 302
    assert (
        response["Location"] == f"{PASSWORD_REAUTHENTICATE_URL}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    assert not Authenticator.objects.filter(user=user).exists()


def test_user_activates_totp_and_receives_ten_recovery_codes():
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    response = client.post(
        f"{PASSWORD_REAUTHENTICATE_URL}?next={TOTP_ACTIVATE_URL}", {"password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == TOTP_ACTIVATE_URL

    page = client.get(TOTP_ACTIVATE_URL)
    secret = page.context["form"].secret
    response = client.post(TOTP_ACTIVATE_URL, {"code": _current_totp(secret)})

    assert response.status_code == 302
    assert response["Location"] == RECOVERY_CODES_URL
    assert secret in page.content.decode()
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    codes_page = client.get(RECOVERY_CODES_URL)
    codes = codes_page.context["unused_codes"]
    assert len(codes) == 10
    assert all(len(code) == 8 and code.isdigit() for code in codes)
    assert all(code in codes_page.content.decode() for code in codes)


def test_activation_refuses_a_wrong_code():
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    client.post(PASSWORD_REAUTHENTICATE_URL, {"password": DEFAULT_PASSWORD})
    secret = client.get(TOTP_ACTIVATE_URL).context["form"].secret

    response = client.post(TOTP_ACTIVATE_URL, {"code": _stale_totp(secret)})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Incorrect code."]}
    assert not Authenticator.objects.filter(user=user).exists()


# --- Login with two factors -------------------------------------------------


def test_password_login_stops_at_the_totp_step_until_a_valid_code_is_given():
    user = UserFactory.create()
    secret = _with_totp(user)
    client = Client()

    after_password = _login_with_password(client, user)

    assert after_password == MFA_AUTHENTICATE_URL
    assert not _is_logged_in(client)
    assert client.get(PROFILE_URL)["Location"] == "/accounts/login/?next=/accounts/profile/"

    response = client.post(MFA_AUTHENTICATE_URL, {"code": _current_totp(secret)})

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    assert client.session[SESSION_KEY] == str(user.pk)
    assert _mfa_methods(client, user) == ["password", "mfa"]


def test_totp_step_refuses_a_wrong_code_and_leaves_the_user_logged_out():
    user = UserFactory.create()
    secret = _with_totp(user)
    client = Client()
    _login_with_password(client, user)

    response = client.post(MFA_AUTHENTICATE_URL, {"code": _stale_totp(secret)})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Incorrect code."]}
    assert not _is_logged_in(client)


def test_totp_step_refuses_a_code_that_was_already_used():
    user = UserFactory.create()
    secret = _with_totp(user)
    first, second = Client(), Client()
    _login_with_password(first, user)
    _login_with_password(second, user)
    code = _current_totp(secret)
    first.post(MFA_AUTHENTICATE_URL, {"code": code})

    response = second.post(MFA_AUTHENTICATE_URL, {"code": code})

    assert _is_logged_in(first)
    assert response.status_code == 200
    assert not _is_logged_in(second)


def test_a_recovery_code_completes_the_login_once_only():
    user = UserFactory.create()
    _with_totp(user)
    code = RecoveryCodes.activate(user).generate_codes()[3]
    client = Client()
    _login_with_password(client, user)

    first = client.post(MFA_AUTHENTICATE_URL, {"code": code})

    assert first["Location"] == PROFILE_URL
    assert client.session[SESSION_KEY] == str(user.pk)
    client.post("/accounts/logout/")
    assert not _is_logged_in(client)
    _login_with_password(client, user)
    second = client.post(MFA_AUTHENTICATE_URL, {"code": code})
    assert second.status_code == 200
    assert second.context["form"].errors == {"code": ["Incorrect code."]}
    assert not _is_logged_in(client)
    rc = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    assert len(rc.get_unused_codes()) == 9
    assert code not in rc.get_unused_codes()


def test_activation_then_login_uses_the_codes_shown_at_activation():
    """The whole journey: activate, log out, log in with the app's code."""
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    client.post(PASSWORD_REAUTHENTICATE_URL, {"password": DEFAULT_PASSWORD})
    secret = client.get(TOTP_ACTIVATE_URL).context["form"].secret
    client.post(TOTP_ACTIVATE_URL, {"code": _current_totp(secret)})
    recovery_code = client.get(RECOVERY_CODES_URL).context["unused_codes"][0]
    client.post("/accounts/logout/")

    _login_with_password(client, user)
    response = client.post(MFA_AUTHENTICATE_URL, {"code": recovery_code})

    assert response["Location"] == PROFILE_URL
    assert client.session[SESSION_KEY] == str(user.pk)


# --- Staff and the admin ----------------------------------------------------

STAFF_MFA_MESSAGE = "Staff must set up two-factor authentication before using the admin."


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/address/add/"])
def test_staff_without_mfa_are_sent_to_totp_activation_with_a_message(path):
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == TOTP_ACTIVATE_URL
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("warning", STAFF_MFA_MESSAGE)
    ]


def test_staff_without_mfa_use_the_shop_pages_as_usual():
    staff = UserFactory.create(is_staff=True)
    client = Client()
    client.force_login(staff)

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    assert list(get_messages(response.wsgi_request)) == []


def test_staff_without_mfa_can_still_sign_out_of_the_admin():
    staff = UserFactory.create(is_staff=True)
    client = Client()
    client.force_login(staff)

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not _is_logged_in(client)


def test_staff_with_mfa_but_no_mfa_step_in_this_session_must_reauthenticate_with_it():
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    _with_totp(staff)
    client = Client()
    client.force_login(staff)

    response = client.get("/admin/accounts/user/?q=ada")

    assert response.status_code == 302
    assert response["Location"] == f"{MFA_REAUTHENTICATE_URL}?next=%2Fadmin%2Faccounts%2Fuser%2F%3Fq%3Dada"


def test_a_password_reauthentication_is_not_the_mfa_step():
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    _with_totp(staff)
    client = Client()
    client.force_login(staff)
    client.post(PASSWORD_REAUTHENTICATE_URL, {"password": DEFAULT_PASSWORD})

    response = client.get("/admin/")

    assert _mfa_methods(client, staff) == ["password"]
    assert response["Location"] == f"{MFA_REAUTHENTICATE_URL}?next=%2Fadmin%2F"


def test_mfa_reauthentication_returns_staff_to_the_admin_page_they_asked_for():
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    secret = _with_totp(staff)
    client = Client()
    client.force_login(staff)
    reauthenticate_url = client.get("/admin/accounts/user/?q=ada")["Location"]

    response = client.post(reauthenticate_url, {"code": _current_totp(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/accounts/user/?q=ada"
    assert client.get(response["Location"]).status_code == 200


def test_staff_who_logged_in_with_password_and_totp_get_the_admin():
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    secret = _with_totp(staff)
    client = Client()
    assert _login_with_password(client, staff, next_url="/admin/") == MFA_AUTHENTICATE_URL
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"

    after_code = client.post(MFA_AUTHENTICATE_URL, {"code": _current_totp(secret)})
    response = client.get(after_code["Location"])

    assert after_code["Location"] == "/admin/"
    assert response.status_code == 200
    assert response.context["site_header"] == "Shop administration"


def test_staff_who_just_activated_totp_enter_one_more_code_for_the_admin():
    """allauth's activation checks a code but records no "mfa" step in the
    session, so the admin asks for a code once more."""
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    client.post(PASSWORD_REAUTHENTICATE_URL, {"password": DEFAULT_PASSWORD})
    secret = client.get(TOTP_ACTIVATE_URL).context["form"].secret
    client.post(TOTP_ACTIVATE_URL, {"code": _current_totp(secret)})

    response = client.get("/admin/")

    assert _mfa_methods(client, staff) == ["password"]
    assert response["Location"] == f"{MFA_REAUTHENTICATE_URL}?next=%2Fadmin%2F"


def test_staff_without_mfa_get_the_admin_when_the_setting_is_off(settings: Settings):
    settings.ADMIN_REQUIRE_MFA = False
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert list(get_messages(response.wsgi_request)) == []


def test_customers_are_not_touched_by_the_mfa_rule_on_shop_pages():
    customer = UserFactory.create()
    client = Client()
    client.force_login(customer)

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    assert list(get_messages(response.wsgi_request)) == []


def test_customers_get_the_admins_usual_refusal():
    customer = UserFactory.create()
    client = Client()
    client.force_login(customer)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403
    assert list(get_messages(response.wsgi_request)) == []


def test_anonymous_visitors_of_the_admin_end_at_the_shop_login():
    response = Client().get("/admin/accounts/user/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/accounts/user/", 302),
        ("/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F", 302),
    ]
    assert response.status_code == 200
    assert response.templates[0].name == "account/login.html"
