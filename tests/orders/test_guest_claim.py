"""A guest who later signs in with the (verified) email of their orders
finds those orders in their account."""

from decimal import Decimal

import pytest
from django.test import Client

from orders.models import Order
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def guest_order(email: str) -> Order:
    return Order.objects.create(
        number=f"TEST-{email[:4].upper()}",
        email=email,
        currency="EUR",
        prices_include_tax=True,
        subtotal=Decimal("10.00"),
        discount_total=Decimal("0.00"),
        shipping_price=Decimal("0.00"),
        tax_total=Decimal("1.60"),
        total=Decimal("10.00"),
        status=Order.Status.PAID,
    )


def sign_in(email: str) -> None:
    response = Client().post("/accounts/login/", {"login": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_signing_in_with_a_verified_email_claims_that_emails_guest_orders() -> None:
    mine, other = guest_order("Ada@Example.com"), guest_order("grace@example.com")
    user = UserFactory.create(email="ada@example.com")

    sign_in("ada@example.com")

    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.user == user
    assert other.user is None


def test_an_unverified_email_claims_nothing() -> None:
    order = guest_order("eve@example.com")
    UserFactory.create(email="eve@example.com", verified=False)
    from allauth.account.models import EmailAddress

    # Sign-in needs a verified address; verify another one to get in.
    user = EmailAddress.objects.get(email="eve@example.com").user
    EmailAddress.objects.create(user=user, email="eve.verified@example.com", verified=True)
    client = Client()
    client.force_login(user)

    order.refresh_from_db()
    assert order.user is None
