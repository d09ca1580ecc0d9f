"""allauth's rate limits as ACCOUNT_RATE_LIMITS in shop/settings.py sets them,
counted in the configured cache (Redis in CI), for the shop's login and the
admin's login alike."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.accounts.test_auth_flows import Clock, _logged_in_user_id, _login, _signup
from tests.factories import DEFAULT_PASSWORD, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

TOO_MANY_LOGINS = "Too many failed login attempts. Try again later."
MISMATCH = "The email address and/or password you specified are not correct."
OTHER_IP = "203.0.113.7"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _non_field_errors(response: Response) -> list[str]:
    assert response.status_code == HTTPStatus.OK
    return list(response.context["form"].non_field_errors())


def _fail_logins(client: Client, email: str, times: int, url: str = "/accounts/login/") -> None:
    for _ in range(times):
        response = client.post(url, {"login": email, "password": "not the password"})
        assert _non_field_errors(response) == [MISMATCH]


# --- The cache that holds the counts ---------------------------------------


def test_rate_limits_are_counted_in_a_real_cache():
    assert settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.dummy.DummyCache"


@pytest.mark.redis
def test_failed_logins_are_counted_in_redis_shared_by_all_web_processes(client):
    assert settings.CACHES["default"]["BACKEND"] == "shop.cache.ResilientRedisCache"  # Django's, outage-proof
    UserFactory.create(email="known@example.com")
    server = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    pattern = "shop:1:allauth:rl:allauth.account:login_failed:*"
    assert server.keys(pattern) == []

    _fail_logins(client, "known@example.com", 1)

    keys = sorted(str(key) for key in server.keys(pattern))
    assert [key.split(":")[6] for key in keys] == ["10/60/ip", "5/300.0/key"]


# --- Failed logins -----------------------------------------------------------


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client):
    UserFactory.create(email="known@example.com")
    _fail_logins(client, "known@example.com", 5)

    response = _login(client, "known@example.com", DEFAULT_PASSWORD)

    assert _non_field_errors(response) == [TOO_MANY_LOGINS]
    assert TOO_MANY_LOGINS in response.text
    assert _logged_in_user_id(client) is None


def test_the_failed_login_limit_counts_the_account_whatever_the_case_of_the_email(client):
    UserFactory.create(email="known@example.com")
    _fail_logins(client, "KNOWN@example.com", 3)
    _fail_logins(client, "Known@Example.COM", 2)

    response = _login(client, "known@example.com", DEFAULT_PASSWORD)

    assert _non_field_errors(response) == [TOO_MANY_LOGINS]


def test_the_failed_login_limit_of_one_account_leaves_other_accounts_alone(client):
    UserFactory.create(email="known@example.com")
    other = UserFactory.create(email="other@example.com")
    _fail_logins(client, "known@example.com", 5)

    response = _login(client, "other@example.com", DEFAULT_PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert _logged_in_user_id(client) == other.pk


def test_the_failed_login_limit_lifts_after_five_minutes(client, clock):
    user = UserFactory.create(email="known@example.com")
    _fail_logins(client, "known@example.com", 5)

    clock.travel_to(4 * 60 + 50)
    assert _non_field_errors(_login(client, "known@example.com")) == [TOO_MANY_LOGINS]
    clock.travel_to(5 * 60 + 10)
    response = _login(client, "known@example.com")

    assert response.status_code == HTTPStatus.FOUND
    assert _logged_in_user_id(client) == user.pk


def test_behind_the_proxy_failed_logins_are_counted_per_client_not_per_proxy(settings):
    """ALLAUTH_TRUSTED_PROXY_COUNT=1 (docs/configuration.md): the proxy's
    address is every request's REMOTE_ADDR; the client's is the last entry of
    X-Forwarded-For, whatever the client claimed before it."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    one = Client(headers={"X-Forwarded-For": "192.0.2.9, 198.51.100.1"}, REMOTE_ADDR="10.0.0.2")
    other = Client(headers={"X-Forwarded-For": "198.51.100.2"}, REMOTE_ADDR="10.0.0.2")
    for n in range(10):  # ten accounts, so only the per-IP limit (10/m) applies
        _fail_logins(one, f"person{n}@example.com", 1)

    refused = one.post("/accounts/login/", {"login": "x@example.com", "password": "not the password"})
    heard = other.post("/accounts/login/", {"login": "x@example.com", "password": "not the password"})

    assert _non_field_errors(refused) == [TOO_MANY_LOGINS]
    assert _non_field_errors(heard) == [MISMATCH]


# --- Sign-ups and password resets -------------------------------------------


def test_signups_beyond_twenty_a_minute_from_one_ip_are_refused(client):
    for n in range(20):
        assert _signup(client, f"new{n}@example.com").status_code == HTTPStatus.FOUND
        client.logout()

    refused = _signup(client, "new20@example.com")

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    # The refusal is a page of the shop that says what to do.
    assert "Please wait a little, then try again." in refused.text
    assert '<header class="site-header">' in refused.text
    assert not User.objects.filter(email="new20@example.com").exists()
    assert len(mail.outbox) == 20
    other_ip = Client(REMOTE_ADDR=OTHER_IP)
    assert _signup(other_ip, "new20@example.com").status_code == HTTPStatus.FOUND


def test_password_reset_requests_beyond_five_a_minute_for_one_address_are_refused(client):
    UserFactory.create(email="known@example.com")
    for _ in range(5):
        response = client.post("/accounts/password/reset/", {"email": "known@example.com"})
        assert response.status_code == HTTPStatus.FOUND

    refused = client.post("/accounts/password/reset/", {"email": "Known@example.com"})

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert len(mail.outbox) == 5
    other = client.post("/accounts/password/reset/", {"email": "other@example.com"})
    assert other.status_code == HTTPStatus.FOUND


# --- The admin signs in through allauth -------------------------------------


def test_admin_login_sends_anonymous_visitors_to_the_allauth_login(client):
    to_admin_login = client.get("/admin/")
    to_allauth = client.get(to_admin_login["Location"])

    assert to_admin_login["Location"] == "/admin/login/?next=/admin/"
    assert to_allauth.status_code == HTTPStatus.FOUND
    assert to_allauth["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_login_is_refused_once_the_failed_login_limit_is_hit(client):
    UserFactory.create(email="staff@example.com", is_staff=True, is_superuser=True)
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    _fail_logins(client, "staff@example.com", 5, url=login_url)

    through_allauth = client.post(login_url, {"login": "staff@example.com", "password": DEFAULT_PASSWORD})
    through_admin_form = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": DEFAULT_PASSWORD}
    )

    assert _non_field_errors(through_allauth) == [TOO_MANY_LOGINS]
    assert through_admin_form.status_code == HTTPStatus.FOUND
    assert through_admin_form["Location"] == login_url
    assert _logged_in_user_id(client) is None
