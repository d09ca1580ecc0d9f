"""The verbs of the accounts app: each changes state in one transaction."""

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from accounts import privacy
from accounts.addressing import ADDRESS_FIELDS, address_normalize
from accounts.locks import user_lock
from accounts.models import Address, User
from notifications.preferences import preferences_erase, preferences_export
from notifications.selectors import notifications_for
from notifications.services import notifications_erase

type DefaultKind = Literal["shipping", "billing"]


@transaction.atomic
def user_profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: PhoneNumber | str,
) -> User:
    """Change a user's profile."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.phone = phone
    user.save(update_fields=["first_name", "last_name", "phone"])
    return user


def _address_apply(*, address: Address, data: Mapping[str, Any]) -> None:
    normalised = address_normalize({field: str(data.get(field) or "") for field in ADDRESS_FIELDS})
    for field, value in normalised.items():
        setattr(address, field, value)
    address.label = str(data.get("label") or "").strip()
    address.phone = data.get("phone") or ""


def _address_defaults_set(*, address: Address, shipping: bool, billing: bool) -> None:
    """Move the default flags to ``address``; the database allows one of each per user."""
    others = Address.objects.filter(user_id=address.user_id).exclude(pk=address.pk)
    if shipping:
        others.filter(is_default_shipping=True).update(is_default_shipping=False)
        address.is_default_shipping = True
    if billing:
        others.filter(is_default_billing=True).update(is_default_billing=False)
        address.is_default_billing = True


@transaction.atomic
def address_create(
    *, user: User, data: Mapping[str, Any], default_shipping: bool = False, default_billing: bool = False
) -> Address:
    """Add a validated, normalised address; the first one becomes both defaults.

    Raises ``AddressValidationError`` when the address is wrong for its country.
    """
    address = Address(user=user)
    _address_apply(address=address, data=data)
    first = not Address.objects.filter(user=user).exists()
    _address_defaults_set(
        address=address, shipping=default_shipping or first, billing=default_billing or first
    )
    address.save()
    return address


@transaction.atomic
def address_update(
    *,
    address: Address,
    data: Mapping[str, Any],
    default_shipping: bool = False,
    default_billing: bool = False,
) -> Address:
    _address_apply(address=address, data=data)
    _address_defaults_set(address=address, shipping=default_shipping, billing=default_billing)
    address.save()
    return address


@transaction.atomic
def address_save(*, address: Address) -> Address:
    """Save an address whose fields a form already validated and set (the
    admin's), moving any default flag it claims away from the user's others."""
    _address_defaults_set(
        address=address, shipping=address.is_default_shipping, billing=address.is_default_billing
    )
    address.save()
    return address


@transaction.atomic
def address_set_default(*, address: Address, kind: DefaultKind) -> Address:
    _address_defaults_set(address=address, shipping=kind == "shipping", billing=kind == "billing")
    address.save(update_fields=["is_default_shipping", "is_default_billing", "updated_at"])
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Delete an address; a default role it had passes to the oldest remaining one."""
    user_id = address.user_id
    was_shipping, was_billing = address.is_default_shipping, address.is_default_billing
    address.delete()
    successor = Address.objects.filter(user_id=user_id).order_by("pk").first()
    if successor and (was_shipping or was_billing):
        _address_defaults_set(address=successor, shipping=was_shipping, billing=was_billing)
        successor.save(update_fields=["is_default_shipping", "is_default_billing", "updated_at"])


def _e164(phone: PhoneNumber | str | None) -> str:
    return phone.as_e164 if isinstance(phone, PhoneNumber) else ""


def _isoformat(value: Any) -> str | None:
    return value.isoformat() if value else None


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the shop holds about ``user``, as JSON-able data."""
    email_addresses = list(EmailAddress.objects.filter(user=user).order_by("pk"))
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": _e164(user.phone),
            "date_joined": _isoformat(user.date_joined),
            "last_login": _isoformat(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in email_addresses
        ],
        "addresses": [
            {
                "label": address.label,
                **{field: getattr(address, field) for field in ADDRESS_FIELDS},
                "phone": _e164(address.phone),
                "is_default_shipping": address.is_default_shipping,
                "is_default_billing": address.is_default_billing,
                "created_at": _isoformat(address.created_at),
            }
            for address in user.addresses.order_by("pk")
        ],
        "social_accounts": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "date_joined": _isoformat(account.date_joined),
                "last_login": _isoformat(account.last_login),
                "profile": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "two_factor_methods": [
            {"type": authenticator.type, "created_at": _isoformat(authenticator.created_at)}
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        # Every message: account emails (verification, password reset,
        # security notices), order emails and in-site notices.
        "notifications": [
            {
                "kind": notification.kind,
                "to": notification.email,
                "subject": notification.subject,
                "notice": notification.title,
                "created_at": _isoformat(notification.created_at),
                "sent_at": _isoformat(notification.sent_at),
                "read_at": _isoformat(notification.read_at),
            }
            for notification in notifications_for(
                emails={user.email, *(address.email for address in email_addresses)}, user=user
            )
        ],
        # Choices of messages (news and offers, wishlist alerts) and any
        # address no optional email goes to any more.
        **preferences_export(emails={user.email, *(address.email for address in email_addresses)}, user=user),
    }
    return data


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account's own part: personal data goes, records kept for
    accounting stay without it (the user row remains, anonymised, so that
    orders keep their customer reference). The other apps' parts are erased
    first by ``orders.privacy.account_delete``, which calls this last."""
    user = user_lock(user_id=user.pk)
    emails = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    notifications_erase(emails=emails, user=user)  # owed messages, kept envelopes, notices
    preferences_erase(emails=emails, user=user)  # choices and suppressions of these addresses
    _admin_log_erase(user=user)
    Address.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = privacy.erased_email(user_id=user.pk)
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    # A new unusable password also ends every other session of this user.
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _admin_log_erase(*, user: User) -> None:
    """The admin's history names the objects staff changed as they read then
    (a user by email, an address by name and street): those of this user's
    account and address book now read as the deleted account."""
    types = ContentType.objects.get_for_models(User, Address)
    address_ids = [str(pk) for pk in Address.objects.filter(user=user).values_list("pk", flat=True)]
    LogEntry.objects.filter(content_type=types[User], object_id=str(user.pk)).update(
        object_repr=privacy.erased_email(user_id=user.pk)
    )
    if address_ids:
        LogEntry.objects.filter(content_type=types[Address], object_id__in=address_ids).update(
            object_repr=f"Address of {privacy.erased_email(user_id=user.pk)}"
        )


class DemoAccount(NamedTuple):
    role: str
    email: str
    password: str
    created: bool


DEMO_ACCOUNTS = (
    ("staff", "staff@example.com", "demo-staff-password", {"first_name": "Sam", "last_name": "Staff"}),
    (
        "customer",
        "customer@example.com",
        "demo-customer-password",
        {"first_name": "Chris", "last_name": "Customer"},
    ),
)


@transaction.atomic
def demo_accounts_create() -> list[DemoAccount]:
    """The demo's staff and customer accounts, with verified emails.

    Idempotent: running it again resets their passwords and changes nothing else.
    """
    accounts = []
    for role, email, password, names in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={**names, "is_staff": role == "staff", "is_superuser": role == "staff"},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if created and role == "customer":
            address_create(
                user=user,
                data={
                    "label": "Home",
                    "full_name": f"{names['first_name']} {names['last_name']}",
                    "street_address_1": "Unter den Linden 1",
                    "postal_code": "10117",
                    "city": "Berlin",
                    "country_code": "DE",
                },
            )
        accounts.append(DemoAccount(role, email, password, created))
    return accounts
