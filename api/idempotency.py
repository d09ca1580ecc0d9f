"""``Idempotency-Key``: a call that places an order or moves money, sent
twice (a retry after a timeout, a double tap), happens once.

    return idempotent(request, owner=owner, operation=lambda: ...)

The first request with a key claims it (a row committed at once, its
status empty) and runs; its answer is kept with the key when the operation
did something that must not be done twice: a success (2xx) or the
gateway's decline (402). The same key with the same request then gets that
answer again (``Idempotent-Replayed: true``); with another request (method,
path or body) a 422; while the first is still running a 409. Any other
outcome (bad input, a refusal that changed nothing, an error) releases the
key, so the client may retry with it.

Keys belong to the requester (a person, or a guest's cart) and last 24
hours; an older one is taken as new. A claim left running for more than
``ABANDONED_AFTER`` (its process died) may be taken again: the services
behind it are themselves idempotent per checkout and payment, so running
again finds the order or payment made before. ``idempotency_keys_purge``
deletes expired keys (not scheduled yet: rows are small and an expired key
is replaced when reused).
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import User
from api.models import IdempotencyKey
from api.problems import CONTENT_TYPE
from cart.models import Cart

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=5)
KEY_MAX_LENGTH = 255


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _lazy("A request with this Idempotency-Key is still being processed; try again shortly.")
    default_code = "idempotency_key_in_use"


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _lazy("This Idempotency-Key was used for a different request; use a new key.")
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class Owner:
    """Whose keys: a signed-in person's, or else a guest cart's."""

    user: User | None = None
    cart: Cart | None = None

    def fields(self) -> dict[str, Any]:
        return {"user": self.user} if self.user is not None else {"cart": self.cart, "user": None}


def idempotent(request: Request, *, owner: Owner, operation: Callable[[], Response]) -> Response:
    """Run ``operation`` once per ``Idempotency-Key`` (plainly without one)."""
    key = request.headers.get(HEADER)
    if key is None:
        return operation()
    if not (0 < len(key) <= KEY_MAX_LENGTH and key.isascii() and key.isprintable()):
        raise exceptions.ValidationError(
            {HEADER: [_("Send 1 to %(n)d printable ASCII characters.") % {"n": KEY_MAX_LENGTH}]}
        )
    method, path = request.method or "", request.path[:255]
    claimed = _claim(owner, key=key, method=method, path=path, fingerprint=_fingerprint(request))
    if isinstance(claimed, Response):
        return claimed
    try:
        response = operation()
    except BaseException:
        claimed.delete()
        raise
    if _kept(response.status_code):
        claimed.status = response.status_code
        claimed.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        claimed.save(update_fields=["status", "body"])
    else:
        claimed.delete()
    return response


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete keys older than ``LIFETIME``; returns how many."""
    cutoff = (now or timezone.now()) - LIFETIME
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _kept(status_code: int) -> bool:
    return 200 <= status_code < 300 or status_code == status.HTTP_402_PAYMENT_REQUIRED


def _fingerprint(request: Request) -> str:
    """What makes two requests the same: method, path and the body's JSON
    (keys sorted). An HMAC, not a bare hash: a payment's body holds a card
    number, whose few unknown digits a bare SHA-256 would give away to a
    search. Base64, not hex: a run of hex digits could pass for a card
    number in a Luhn scan of the database."""
    body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder, separators=(",", ":"))
    digest = salted_hmac("api.idempotency", f"{request.method} {request.path}\n{body}", algorithm="sha256")
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _claim(owner: Owner, *, key: str, method: str, path: str, fingerprint: str) -> IdempotencyKey | Response:
    """The new claim on ``key``, or the kept answer of the request that made
    it first; ``KeyInUse`` while that one runs, ``KeyReused`` when it was
    another request."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            # Committed at once (outside a request transaction): a duplicate
            # arriving now finds the claim, or waits on the unique index for it.
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    **owner.fields(),
                    key=key,
                    method=method,
                    path=path,
                    fingerprint=fingerprint,
                    created_at=now,
                )
        except IntegrityError:
            pass
        held = IdempotencyKey.objects.filter(**owner.fields(), key=key).first()
        if held is None:
            continue  # released meanwhile
        if held.created_at < now - LIFETIME or (
            held.status is None and held.created_at < now - ABANDONED_AFTER
        ):
            IdempotencyKey.objects.filter(pk=held.pk, created_at=held.created_at).delete()
            continue
        if (held.method, held.path, held.fingerprint) != (method, path, fingerprint):
            raise KeyReused()
        if held.status is None:
            raise KeyInUse()
        response = Response(held.body, status=held.status, headers={"Idempotent-Replayed": "true"})
        if held.status >= 400:
            response.content_type = CONTENT_TYPE
        return response
    raise KeyInUse()
