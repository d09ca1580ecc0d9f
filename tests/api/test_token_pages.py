"""/accounts/tokens/: a person makes a personal access token (its key shown
once, on the answer to the form, and never again), sees their tokens and
revokes one; staff scopes are offered to staff only; a new password, a
deactivated or deleted account ends every token; the admin lists tokens
without their keys and may only revoke them."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from api.models import AccessToken
from api.scopes import READ, STAFF_ORDERS
from api.tokens import access_token_create, access_token_for_key
from orders.privacy import account_delete
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/tokens/"
NEW_PASSWORD = "a brand new secret"
KEY = re.compile(r"shp_[A-Za-z0-9_-]{43}")


@pytest.fixture
def user() -> User:
    return UserFactory.create(email="ada@example.com")


@pytest.fixture
def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _make(client: Client, **changes: object) -> str:
    response = client.post(
        URL, {"name": "Stock sync", "scopes": [READ, "orders:write"], "expires_in_days": 30, **changes}
    )
    return response.content.decode()


def test_the_page_is_for_signed_in_people(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_account_navigation_leads_to_the_page(signed_in):
    page = signed_in.get("/accounts/profile/").content.decode()

    assert f'<a href="{URL}">API tokens</a>' in page


def test_a_new_tokens_key_is_shown_once_and_then_never_again(signed_in, user):
    empty = signed_in.get(URL)
    made = signed_in.post(
        URL, {"name": "Stock sync", "scopes": [READ, "orders:write"], "expires_in_days": 30}
    )
    html = made.content.decode()
    later = signed_in.get(URL).content.decode()

    assert "You have no tokens yet." in empty.content.decode()
    assert 'value="90"' in empty.content.decode()  # the default expiry
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    assert "Copy it now: you will not see it again." in html
    [key] = set(KEY.findall(html))
    token = AccessToken.objects.get(user=user)
    assert access_token_for_key(key) == token
    assert (token.name, token.scopes) == ("Stock sync", ["orders:write", READ])
    assert token.expires_at is not None
    assert (token.expires_at - token.created_at).days == 30
    assert key not in later
    assert not KEY.search(later)
    assert f"<code>{token.prefix}…</code>" in later
    assert "Stock sync" in later
    assert key not in str(dict(signed_in.session))


def test_staff_scopes_are_offered_to_staff_only(client, signed_in, user):
    customer_page = signed_in.get(URL).content.decode()
    refused = _make(signed_in, scopes=[STAFF_ORDERS])
    staff = Client()
    staff.force_login(UserFactory.create(is_staff=True))
    staff_page = staff.get(URL).content.decode()
    staff_made = _make(staff, scopes=[STAFF_ORDERS])

    assert 'value="staff:orders"' not in customer_page
    assert 'value="read"' in customer_page
    assert "Read your account: profile, addresses, cart, orders" in customer_page
    assert "Select a valid choice. staff:orders is not one of the available choices." in refused
    assert not AccessToken.objects.filter(user=user).exists()
    assert 'value="staff:orders"' in staff_page
    assert KEY.search(staff_made)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"expires_in_days": 0}, "Ensure this value is greater than or equal to 1."),
        ({"expires_in_days": 366}, "Ensure this value is less than or equal to 365."),
        ({"name": " "}, "This field is required."),
        ({"scopes": []}, "This field is required."),
        (
            {"scopes": ["everything"]},
            "Select a valid choice. everything is not one of the available choices.",
        ),
    ],
)
def test_bad_input_is_shown_on_the_form_and_makes_no_token(signed_in, changes, error):
    html = _make(signed_in, **changes)

    assert error in html
    assert "Please check the form" in html
    assert not KEY.search(html)
    assert not AccessToken.objects.exists()


def test_the_services_refusal_is_a_form_error(signed_in, user, settings):
    settings.API_TOKEN_LIVE_MAX = 1
    access_token_create(user=user, name="old", scopes=[READ])

    html = _make(signed_in)

    assert "You have too many tokens: revoke one you no longer use." in html
    assert AccessToken.objects.count() == 1


def test_a_token_is_revoked_by_its_owner_with_a_post(signed_in, user):
    made = access_token_create(user=user, name="Old script", scopes=[READ])

    refused = signed_in.get(f"{URL}{made.token.pk}/revoke/")
    response = signed_in.post(f"{URL}{made.token.pk}/revoke/")
    page = signed_in.get(URL).content.decode()

    assert refused.status_code == 405
    assert (response.status_code, response["Location"]) == (303, URL)
    assert access_token_for_key(made.key) is None
    assert "The token “Old script” is revoked: it no longer works." in page
    assert "Revoked" in page
    assert "Revoke<span" not in page  # no button for a revoked token


def test_another_persons_token_is_a_404_and_stays(signed_in):
    other = access_token_create(user=UserFactory.create(), name="theirs", scopes=[READ])

    response = signed_in.post(f"{URL}{other.token.pk}/revoke/")

    assert response.status_code == 404
    assert access_token_for_key(other.key) is not None


def test_making_and_revoking_need_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    made = access_token_create(user=user, name="x", scopes=[READ])

    assert client.post(URL, {"name": "x", "scopes": [READ], "expires_in_days": 1}).status_code == 403
    assert client.post(f"{URL}{made.token.pk}/revoke/").status_code == 403
    assert AccessToken.objects.count() == 1
    assert access_token_for_key(made.key) is not None


# --- A new password, a closed account ---------------------------------------------------------


def test_changing_the_password_revokes_every_token(client, user):
    keys = [access_token_create(user=user, name=f"t{n}", scopes=[READ]).key for n in range(2)]
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert [access_token_for_key(key) for key in keys] == [None, None]
    assert not AccessToken.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_resetting_the_password_revokes_every_token(client, user, django_capture_on_commit_callbacks):
    made = access_token_create(user=user, name="t", scopes=[READ])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", str(mail.outbox[0].body))
    assert link
    form_page = client.get(link.group(1))
    client.post(form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert access_token_for_key(made.key) is None


def test_a_password_set_elsewhere_revokes_every_token(user):
    made = access_token_create(user=user, name="t", scopes=[READ])
    kept = access_token_create(user=UserFactory.create(), name="t", scopes=[READ])

    user.first_name = "Grace"
    user.save()
    assert access_token_for_key(made.key) is not None  # another change keeps them
    user.set_password(NEW_PASSWORD)  # as the admin's form and ``changepassword`` do
    user.save()

    assert access_token_for_key(made.key) is None
    assert access_token_for_key(kept.key) is not None


def test_a_deactivated_or_deleted_account_s_tokens_do_not_authenticate(user):
    made = access_token_create(user=user, name="t", scopes=[READ])
    other = UserFactory.create()
    other_made = access_token_create(user=other, name="t", scopes=[READ])

    user.is_active = False
    user.save(update_fields=["is_active"])
    account_delete(user=other)

    assert access_token_for_key(made.key) is None  # while switched off
    assert access_token_for_key(other_made.key) is None  # deleted: anonymised, inactive, no password
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert access_token_for_key(made.key) is not None  # staff switched the account back on


# --- The admin ----------------------------------------------------------------------------------


def test_the_admin_lists_tokens_without_keys_and_only_revokes_them(staff_client, user):
    made = access_token_create(user=user, name="Stock sync", scopes=[READ])
    token = made.token

    listing = staff_client.get("/admin/api/accesstoken/")
    page = staff_client.get(f"/admin/api/accesstoken/{token.pk}/change/")
    add = staff_client.get("/admin/api/accesstoken/add/")
    edit = staff_client.post(f"/admin/api/accesstoken/{token.pk}/change/", {"name": "hijacked"})
    revoked = staff_client.post(
        "/admin/api/accesstoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Stock sync" in html
    assert token.prefix in html
    assert "ada@example.com" in html
    assert made.key not in html
    assert token.key_hash not in html
    assert page.status_code == 200
    assert made.key not in page.content.decode()
    assert token.key_hash not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert add.status_code == 403
    assert edit.status_code == 403
    assert "1 token revoked." in revoked.content.decode()
    token.refresh_from_db()
    assert token.name == "Stock sync"
    assert token.revoked_at is not None
    assert token.revoked_at <= timezone.now()
    assert access_token_for_key(made.key) is None
