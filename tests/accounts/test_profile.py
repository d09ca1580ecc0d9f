from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_saves_names_phone_and_consent_with_its_date(client):
    user = UserFactory.create(first_name="", last_name="")
    client.force_login(user)
    before = timezone.now()

    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": " Grace ",
            "last_name": "Hopper",
            "phone": "+49 30 1234567",
            "marketing_consent": "on",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone.as_e164) == ("Grace", "Hopper", "+49301234567")
    assert user.marketing_consent is True
    assert user.marketing_consent_at is not None
    assert user.marketing_consent_at >= before


def test_withdrawing_consent_clears_its_date(client):
    user = UserFactory.create(marketing_consent=True, marketing_consent_at=timezone.now())
    client.force_login(user)

    client.post(reverse("accounts:profile"), {"first_name": "A", "last_name": "B", "phone": ""})

    user.refresh_from_db()
    assert (user.marketing_consent, user.marketing_consent_at) == (False, None)


def test_renewed_consent_keeps_its_first_date(client):
    given = timezone.now() - timedelta(days=30)
    user = UserFactory.create(marketing_consent=True, marketing_consent_at=given)
    client.force_login(user)

    client.post(reverse("accounts:profile"), {"first_name": "A", "last_name": "B", "marketing_consent": "on"})

    user.refresh_from_db()
    assert user.marketing_consent_at == given


def test_a_bad_phone_number_is_a_form_error(client):
    user = UserFactory.create()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "A", "last_name": "B", "phone": "12ab"}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["phone"]


def test_profile_needs_login(client):
    assert client.get(reverse("accounts:profile"))["Location"].startswith("/accounts/login/")


def test_email_is_the_login_and_is_unique_without_regard_to_case():
    UserFactory.create(email="Ada@Example.com")

    with pytest.raises(IntegrityError):
        User.objects.create_user(email="ada@example.com", password="x" * 12)


def test_users_have_no_username():
    user = User.objects.create_user(email="grace@example.com", password="long enough pw")

    assert not hasattr(user, "username") or user.username is None
    assert User.USERNAME_FIELD == "email"
    assert User.objects.get_by_natural_key("GRACE@example.com") == user
