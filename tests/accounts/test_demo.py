from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from accounts.models import Address, User

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_created_once_and_their_credentials_printed():
    first, second = StringIO(), StringIO()

    call_command("demo_accounts", stdout=first)
    call_command("demo_accounts", stdout=second)

    assert "staff@example.com" in first.getvalue()
    assert "password: demo-staff-password (created)" in first.getvalue()
    assert "password: demo-customer-password (created)" in first.getvalue()
    assert "(created)" not in second.getvalue()
    assert User.objects.count() == 2
    staff = User.objects.get(email="staff@example.com")
    assert (staff.is_staff, staff.is_superuser, staff.check_password("demo-staff-password")) == (
        True,
        True,
        True,
    )
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 2
    assert Address.objects.get().user.email == "customer@example.com"


def test_the_demo_passwords_pass_the_shops_own_password_rules():
    """The README's demo passwords are what a person would type: the rules
    (length, common, similar to the email, zxcvbn) must accept them too."""
    call_command("demo_accounts", stdout=StringIO())

    for email, password in [
        ("staff@example.com", "demo-staff-password"),
        ("customer@example.com", "demo-customer-password"),
    ]:
        validate_password(password, User.objects.get(email=email))  # raises when refused
