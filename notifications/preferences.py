"""Who wants which messages: a person's preferences per group and channel,
and the addresses no optional email may go to.

Account and order messages (and staff's) are transactional: always sent, not
a choice. Marketing is opt-in, off until an address confirmed it (double
opt-in, ``notifications.optin``); wishlist alerts are on until switched off.
Email choices are an address's, in-site ones a user's (``Preference``).
An address that bounced hard or complained is suppressed (``Suppression``):
no optional email goes to it, transactional ones still do.

``notifications.services.notification_queue`` asks ``recipients`` before
owing a message and puts ``unsubscribe_headers`` (RFC 8058 one-click) on
every optional email.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import Group
from notifications.models import Channel, Preference, Suppression
from notifications.tokens import unsubscribe_token
from shop.sites import shop_url

# The groups a person may choose, with their defaults when they chose nothing.
DEFAULTS: dict[tuple[str, str], bool] = {
    (Group.MARKETING, Channel.EMAIL): False,  # opt-in, confirmed by email
    (Group.MARKETING, Channel.SITE): False,
    (Group.WISHLIST, Channel.EMAIL): True,
    (Group.WISHLIST, Channel.SITE): True,
    # Asking a customer for a review is advertising in the EU's reading
    # (BGH VI ZR 225/17): sent to buyers, with a one-click way out in each.
    (Group.REVIEWS, Channel.EMAIL): True,
    (Group.REVIEWS, Channel.SITE): True,
}
CHOOSABLE = frozenset(group for group, _channel in DEFAULTS)
# Shown on the preferences page as always on.
TRANSACTIONAL = (Group.ACCOUNT, Group.ORDERS)


class NotChoosable(ValueError):
    """Transactional messages cannot be switched off (nor an unknown group chosen)."""


def email_normalize(email: str) -> str:
    return email.strip().lower()


def user_email(user: AbstractBaseUser) -> str:
    return str(getattr(user, user.get_email_field_name(), "") or "")


# --- Questions -------------------------------------------------------------------------


def email_suppressed(*, email: str) -> Suppression | None:
    return Suppression.objects.filter(email=email_normalize(email)).first()


def email_chosen(*, group: str, email: str) -> bool:
    """What the address chose for ``group`` (or the default), suppressed or not."""
    chosen = (
        Preference.objects.filter(channel=Channel.EMAIL, email=email_normalize(email), group=group)
        .values_list("enabled", flat=True)
        .first()
    )
    return DEFAULTS[(group, Channel.EMAIL)] if chosen is None else chosen


def email_allows(*, group: str, email: str) -> bool:
    """Whether an email of ``group`` may go to ``email``."""
    if group not in CHOOSABLE:
        return True
    return email_suppressed(email=email) is None and email_chosen(group=group, email=email)


def site_allows(*, group: str, user: AbstractBaseUser) -> bool:
    """Whether an in-site notice of ``group`` may be shown to ``user``."""
    if group not in CHOOSABLE:
        return True
    chosen = (
        Preference.objects.filter(channel=Channel.SITE, user_id=user.pk, group=group)
        .values_list("enabled", flat=True)
        .first()
    )
    return DEFAULTS[(group, Channel.SITE)] if chosen is None else chosen


def recipients(
    *, group: str, email: str, user: AbstractBaseUser | None
) -> tuple[str, AbstractBaseUser | None]:
    """The ``email`` and ``user`` a message of ``group`` may still reach:
    each emptied where the person's choice (or a suppression) says no."""
    if group not in CHOOSABLE:
        return email, user
    allowed_email = email if email and email_allows(group=group, email=email) else ""
    allowed_user = user if user is not None and site_allows(group=group, user=user) else None
    return allowed_email, allowed_user


def unsubscribe_url(*, group: str, email: str) -> str:
    token = unsubscribe_token(email=email, group=group)
    return shop_url(reverse("notification_preferences:unsubscribe", kwargs={"token": token}))


def unsubscribe_headers(*, group: str, email: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers for an optional email: mail clients
    offer "Unsubscribe", which POSTs to the signed link."""
    if group not in CHOOSABLE or not email:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(group=group, email=email)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_context(*, group: str, email: str) -> dict[str, str]:
    """The footer's links of an optional email (``notifications/email/base``)."""
    if group not in CHOOSABLE or not email:
        return {}
    return {
        "unsubscribe_url": unsubscribe_url(group=group, email=email),
        "preferences_url": shop_url(reverse("notification_preferences:edit")),
    }


def preferences_for(*, user: AbstractBaseUser) -> dict[tuple[str, str], bool]:
    """What ``user`` chose (or the defaults) per group and channel, for the
    preferences page; the email choices are those of the account's address."""
    email = email_normalize(user_email(user))
    rows = Preference.objects.filter(channel=Channel.EMAIL, email=email) | Preference.objects.filter(
        channel=Channel.SITE, user_id=user.pk
    )
    chosen = {(row.group, row.channel): row.enabled for row in rows}
    return {choice: chosen.get(choice, default) for choice, default in DEFAULTS.items()}


def preferences_export(*, emails: Iterable[str], user: AbstractBaseUser | None) -> dict[str, Any]:
    """The choices and suppressions held for these addresses and this user
    ("Download my data")."""
    addresses = {email_normalize(email) for email in emails if email}
    preferences = Preference.objects.filter(channel=Channel.EMAIL, email__in=addresses)
    if user is not None and user.pk:
        preferences |= Preference.objects.filter(channel=Channel.SITE, user_id=user.pk)
    return {
        "preferences": [
            {
                "channel": row.channel,
                "group": row.group,
                "email": row.email,
                "enabled": row.enabled,
                "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
                "changed_at": row.changed_at.isoformat(),
                "changed_by": row.source,
            }
            for row in preferences.order_by("pk")
        ],
        "suppressed_addresses": [
            {"email": row.email, "reason": row.reason, "since": row.created_at.isoformat()}
            for row in Suppression.objects.filter(email__in=addresses).order_by("pk")
        ],
    }


# --- Verbs -----------------------------------------------------------------------------


def _choosable(group: str) -> None:
    if group not in CHOOSABLE:
        raise NotChoosable(f"{group!r} messages cannot be switched on or off")


@transaction.atomic
def email_preference_set(
    *, email: str, group: str, enabled: bool, source: str, confirmed: bool = False
) -> None:
    """Record an address's choice for ``group``. Marketing is switched on
    only by its confirmation (``confirmed``: the double opt-in's link)."""
    _choosable(group)
    if enabled and group == Group.MARKETING and not confirmed:
        raise NotChoosable("marketing email is switched on by confirming the address (double opt-in)")
    defaults: dict[str, Any] = {"enabled": enabled, "source": source}
    if confirmed:
        defaults["confirmed_at"] = timezone.now()
    Preference.objects.update_or_create(
        channel=Channel.EMAIL, email=email_normalize(email), group=group, defaults=defaults
    )


@transaction.atomic
def site_preference_set(*, user: AbstractBaseUser, group: str, enabled: bool, source: str) -> None:
    _choosable(group)
    Preference.objects.update_or_create(
        channel=Channel.SITE, user_id=user.pk, group=group, defaults={"enabled": enabled, "source": source}
    )


def email_unsubscribe(*, email: str, group: str) -> None:
    """The one-click unsubscribe (RFC 8058) and the footer's link: at once."""
    email_preference_set(email=email, group=group, enabled=False, source="unsubscribe link")


# anymail's normalised tracking events that stop optional email to an address.
SUPPRESSING_EVENTS = {
    "bounced": Suppression.Reason.BOUNCED,
    "complained": Suppression.Reason.COMPLAINED,
    "rejected": Suppression.Reason.REJECTED,
}
# Rejections that say the address itself is bad (not a policy of the day).
SUPPRESSING_REJECTIONS = frozenset({"invalid", "bounced", "spam"})
# A bounce is hard unless the provider says it was soft (Postmark's "Type").
SOFT_BOUNCES = frozenset({"SoftBounce", "Transient", "DnsError"})


def email_tracking_event_apply(*, event: Any, esp_name: str) -> Suppression | None:
    """What the email provider tells about a message sent (anymail's
    normalised ``AnymailTrackingEvent``): a hard bounce or a complaint (or a
    rejection for a bad, bounced or complaining address) suppresses optional
    email to the recipient from then on; anything else changes nothing.
    Heard again, it keeps the first suppression."""
    reason = SUPPRESSING_EVENTS.get(event.event_type)
    recipient = email_normalize(event.recipient or "")
    if reason is None or not recipient:
        return None
    if reason == Suppression.Reason.REJECTED and event.reject_reason not in SUPPRESSING_REJECTIONS:
        return None
    esp_event = event.esp_event if isinstance(event.esp_event, Mapping) else {}
    if reason == Suppression.Reason.BOUNCED and esp_event.get("Type") in SOFT_BOUNCES:
        return None
    detail = " ".join(str(part) for part in (event.description, event.mta_response) if part)
    suppression, _created = Suppression.objects.get_or_create(
        email=recipient, defaults={"reason": reason, "detail": detail[:500], "provider": esp_name[:30]}
    )
    return suppression


def preferences_erase(*, emails: Iterable[str], user: AbstractBaseUser | None) -> int:
    """Every choice and suppression held for these addresses and this user
    (account deletion). Returns how many rows went."""
    addresses = {email_normalize(email) for email in emails if email}
    deleted, _kinds = Preference.objects.filter(channel=Channel.EMAIL, email__in=addresses).delete()
    if user is not None and user.pk:
        deleted += Preference.objects.filter(user_id=user.pk).delete()[0]
    deleted += Suppression.objects.filter(email__in=addresses).delete()[0]
    return deleted
