"""Making, checking and revoking personal access tokens.

A token reads ``shp_`` and 43 URL-safe characters (256 random bits). Sent as
``Authorization: Bearer shp_…``; looked up by its SHA-256, compared in
constant time by the database's unique index on that hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.models import User
from api.models import AccessToken
from api.scopes import SCOPES, STAFF_SCOPES

PREFIX = "shp_"
# last_used_at is written at most this often per token (one UPDATE per request would be a hot row).
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be made as asked, with a message for people."""


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    key: str  # shown once


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def access_token_create(
    *, user: User, name: str, scopes: list[str], expires_in_days: int | None = None
) -> NewToken:
    """A new token for ``user`` with ``scopes``; the key is in the result only."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name, so you know later what it is for."))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise TokenError(_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)})
    if not scopes:
        raise TokenError(_("Choose at least one scope."))
    if STAFF_SCOPES & set(scopes) and not user.is_staff:
        raise TokenError(_("Only staff may give a token staff scopes."))
    longest = settings.API_TOKEN_MAX_DAYS
    if expires_in_days is not None and not 1 <= expires_in_days <= longest:
        raise TokenError(_("A token lasts from 1 to %(days)s days.") % {"days": longest})
    if AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() >= settings.API_TOKEN_LIVE_MAX:
        raise TokenError(_("You have too many tokens: revoke one you no longer use."))
    key = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = AccessToken.objects.create(
        user=user,
        name=name[:80],
        prefix=key[: len(PREFIX) + 6],
        key_hash=_hash(key),
        scopes=sorted(set(scopes)),
        password_stamp=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days or longest),
    )
    return NewToken(token=token, key=key)


def access_token_for_key(key: str) -> AccessToken | None:
    """The live token of ``key`` (None for an unknown, expired or revoked
    one), its user loaded; notes when it was used."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    token = AccessToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.is_live or not token.user.is_active:
        return None
    if not constant_time_compare(token.password_stamp, token.user.get_session_auth_hash()):
        return None  # the password changed since the token was made
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def access_token_revoke(*, user: User, token_id: int) -> AccessToken:
    """Revoke one of ``user``'s tokens (AccessToken.DoesNotExist for anyone else's)."""
    token = AccessToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def access_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of ``user`` (a password change, a deactivation)."""
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
