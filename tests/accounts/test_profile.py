import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from notifications.models import Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_saves_names_and_phone_and_sends_consent_to_the_preferences(client):
    user = UserFactory.create(first_name="", last_name="")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": " Grace ",
            "last_name": "Hopper",
            "phone": "+49 30 1234567",
            "marketing_consent": "on",  # the old checkbox: ignored, consent is asked elsewhere
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone.as_e164) == ("Grace", "Hopper", "+49301234567")
    assert not Preference.objects.exists()
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Send me offers" not in page
    assert f'href="{reverse("notification_preferences:edit")}"' in page


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
