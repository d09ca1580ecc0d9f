import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import Address, User
from orders import privacy as order_privacy
from tests.factories import DEFAULT_PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory.create(
        email="ada@example.com", first_name="Ada", last_name="Lovelace", phone="+4930123456"
    )
    AddressFactory.create(user=user, label="Home", is_default_shipping=True)
    SocialAccount.objects.create(user=user, provider="github", uid="42", extra_data={"login": "ada"})
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    return user


def test_data_export_is_a_json_download_of_everything_held(client, person):
    client.force_login(person)

    response = client.post(reverse("accounts:data_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.com"
    assert data["account"]["phone"] == "+4930123456"
    assert data["email_addresses"] == [{"email": "ada@example.com", "verified": True, "primary": True}]
    assert [a["label"] for a in data["addresses"]] == ["Home"]
    assert data["addresses"][0]["postal_code"] == "10117"
    assert data["social_accounts"][0]["provider"] == "github"
    assert data["social_accounts"][0]["profile"] == {"login": "ada"}
    assert [m["type"] for m in data["two_factor_methods"]] == ["recovery_codes"]
    assert "seed" not in response.content.decode()


def test_data_export_includes_the_parts_of_other_apps(client, person, monkeypatch):
    monkeypatch.setattr(order_privacy, "orders_export", lambda user: [{"number": "A1", "email": user.email}])
    client.force_login(person)

    data = json.loads(client.post(reverse("accounts:data_export")).content)

    assert data["orders"] == [{"number": "A1", "email": "ada@example.com"}]


def test_data_export_page_shows_a_button_and_needs_login(client, person):
    assert client.get(reverse("accounts:data_export"))["Location"].startswith("/accounts/login/")
    client.force_login(person)

    assert "Download my data" in client.get(reverse("accounts:data_export")).content.decode()


def test_deleting_the_account_with_the_password_anonymises_it(client, person, monkeypatch):
    erased = []
    monkeypatch.setattr(order_privacy, "orders_erase", lambda user: erased.append(user.pk))
    client.force_login(person)

    response = client.post(reverse("accounts:delete"), {"confirmation": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(pk=person.pk)
    assert user.email == f"deleted-{person.pk}@deleted.invalid"
    assert (user.first_name, user.last_name, str(user.phone)) == ("", "", "")
    assert (user.is_active, user.has_usable_password(), user.deleted_at is not None) == (False, False, True)
    assert not Address.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert erased == [person.pk]
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_wrong_password_deletes_nothing(client, person):
    client.force_login(person)

    response = client.post(reverse("accounts:delete"), {"confirmation": "not my password"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"confirmation": ["That is not your password."]}
    person.refresh_from_db()
    assert (person.email, person.is_active) == ("ada@example.com", True)


def test_a_social_only_account_confirms_deletion_with_its_email(client):
    user = UserFactory.create(email="sso@example.com")
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    wrong = client.post(reverse("accounts:delete"), {"confirmation": "other@example.com"})
    right = client.post(reverse("accounts:delete"), {"confirmation": "SSO@example.com"})

    assert wrong.context["form"].errors == {"confirmation": ["That is not your email address."]}
    assert right.status_code == 302
    assert User.objects.get(pk=user.pk).email == f"deleted-{user.pk}@deleted.invalid"


def test_the_deleted_email_can_sign_up_again(client, person):
    client.force_login(person)
    client.post(reverse("accounts:delete"), {"confirmation": DEFAULT_PASSWORD})

    new = User.objects.create_user(email="ada@example.com", password="another long one")

    assert new.pk != person.pk


def test_the_delete_page_says_what_is_erased_and_what_invoices_keep(client, person):
    client.force_login(person)

    page = client.get(reverse("accounts:delete")).content.decode()

    assert "we keep only its country" in page
    assert "your billing name and billing address (without the phone)" in page
    assert "ten years" in page
