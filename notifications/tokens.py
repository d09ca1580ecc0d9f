"""Signed links in emails (``django.core.signing``, each purpose its salt):
one-click unsubscribe of an address from a group (RFC 8058; valid as long as
the email may be read) and the double opt-in's confirmation (expires)."""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
CONFIRM_SALT = "notifications.marketing-confirm"
# How long the double opt-in's link works.
CONFIRM_MAX_AGE = timedelta(days=7)


class BadToken(Exception):
    """A link that was tampered with, cut short or expired."""


@dataclass(frozen=True)
class Unsubscribe:
    email: str
    group: str


@dataclass(frozen=True)
class Confirm:
    email: str
    group: str


def unsubscribe_token(*, email: str, group: str) -> str:
    return signing.dumps({"e": email.lower(), "g": group}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Unsubscribe(email=str(data["e"]), group=str(data["g"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadToken(str(error)) from error


def confirm_token(*, email: str, group: str) -> str:
    return signing.dumps({"e": email.lower(), "g": group}, salt=CONFIRM_SALT, compress=True)


def confirm_token_read(token: str) -> Confirm:
    """Raises ``BadToken`` for a bad signature and ``TokenExpired`` (a
    ``BadToken`` too) for a link older than ``CONFIRM_MAX_AGE``."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        return Confirm(email=str(data["e"]), group=str(data["g"]))
    except signing.SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadToken(str(error)) from error


class TokenExpired(BadToken):
    """A good link followed too late."""
