"""Rates on the cache (Redis): per token, per signed-in person, per client
address, and stricter named ones for checkout and promo codes
(``throttle_scope`` on a view). While Redis is away the cache keeps nothing
(shop/cache.py), so the rates count nothing and fail open: the API keeps
serving, as the pages do (docs/decisions.md). A refused request gets a 429
with ``Retry-After``."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from api.models import AccessToken


class PerClient(AnonRateThrottle):
    """Anonymous requests, by client address."""

    scope = "anon"


class PerPerson(UserRateThrottle):
    """Signed-in requests: by token when one is sent (each script its own
    budget), by person otherwise."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, AccessToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        if not (request.user and request.user.is_authenticated):
            return None  # PerClient counts anonymous requests
        return super().get_cache_key(request, view)


class Named(ScopedRateThrottle):
    """A view's ``throttle_scope`` (``checkout``, ``promo``), per person or address."""
