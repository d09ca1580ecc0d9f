from typing import cast

from allauth.account.models import EmailAddress
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.addressing import address_fields
from accounts.models import Address, User


def address_list_for_user(*, user: User) -> QuerySet[Address]:
    """A user's address book; anyone else's addresses are not in it."""
    return Address.objects.filter(user=user)


def address_get_for_user(*, user: User, pk: int) -> Address:
    """Raises ``Address.DoesNotExist`` for another user's address."""
    return address_list_for_user(user=user).get(pk=pk)


def address_data(address: Address) -> dict[str, str]:
    """A saved address as a checkout keeps it: its fields, the phone in E.164."""
    return {**address_fields(address), "phone": address.phone.as_e164 if address.phone else ""}


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request, for views behind ``login_required``."""
    return cast(User, request.user)


def user_verified_emails(*, user: User) -> list[str]:
    """The addresses the user proved are theirs (allauth's verification)."""
    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
