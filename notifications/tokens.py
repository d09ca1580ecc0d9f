"""Signed links in emails (``django.core.signing``, each purpose its salt):
one-click unsubscribe of an address from a group (RFC 8058; valid as long as
the email may be read) and the double opt-in's confirmation (expires). Both
carry an address and a group."""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
CONFIRM_SALT = "notifications.marketing-confirm"
# How long the double opt-in's link works.
CONFIRM_MAX_AGE = timedelta(days=7)


class BadToken(Exception):
    """A link that was tampered with, cut short or expired."""


class TokenExpired(BadToken):
    """A good link followed too late."""


@dataclass(frozen=True)
class AddressGroup:
    """What a link is about: an address and a group of messages."""

    email: str
    group: str


def unsubscribe_token(*, email: str, group: str) -> str:
    return _token(email=email, group=group, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> AddressGroup:
    return _read(token, salt=UNSUBSCRIBE_SALT, max_age=None)


def confirm_token(*, email: str, group: str) -> str:
    return _token(email=email, group=group, salt=CONFIRM_SALT)


def confirm_token_read(token: str) -> AddressGroup:
    """Raises ``BadToken`` for a bad signature and ``TokenExpired`` (a
    ``BadToken`` too) for a link older than ``CONFIRM_MAX_AGE``."""
    return _read(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def _token(*, email: str, group: str, salt: str) -> str:
    return signing.dumps({"e": email.lower(), "g": group}, salt=salt, compress=True)


def _read(token: str, *, salt: str, max_age: timedelta | None) -> AddressGroup:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        return AddressGroup(email=str(data["e"]), group=str(data["g"]))
    except signing.SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadToken(str(error)) from error
