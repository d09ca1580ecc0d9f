"""Rates on the cache (Redis): per token, per signed-in person, per client
address, and stricter named ones for checkout and promo codes
(``throttle_scope`` on a view). While Redis is away the cache keeps nothing
(shop/cache.py), so the rates count nothing and fail open: the API keeps
serving, as the pages do (docs/decisions.md). A refused request gets a 429
with ``Retry-After``.

Each rate is a fixed window (``FixedWindow``): one counter per client and
window, counted in one round trip to Redis. DRF's own throttles keep a list of
timestamps, read and written back (two round trips, and two overlapping
requests can both be let through); the fixed window lets a client spend at
most twice its rate across a window's edge, which is what rates are for."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from api.models import AccessToken
from shop.cache import count_in_window


class FixedWindow(SimpleRateThrottle):
    """Counts a request in the current window of the rate's period and lets it
    through while the count is within the rate. Listed after DRF's throttle
    class, so that its ``get_cache_key`` (and the scope's own
    ``allow_request``) are used."""

    num_requests: int
    duration: int  # seconds: the window

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        count = count_in_window(f"{key}:{window}", self.duration)
        self.window_ends = (window + 1) * self.duration
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the window ends (``Retry-After``)."""
        return max(self.window_ends - self.now, 1)


class PerClient(AnonRateThrottle, FixedWindow):
    """Anonymous requests, by client address."""

    scope = "anon"


class PerPerson(UserRateThrottle, FixedWindow):
    """Signed-in requests: by token when one is sent (each script its own
    budget), by person otherwise."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, AccessToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        if not (request.user and request.user.is_authenticated):
            return None  # PerClient counts anonymous requests
        return super().get_cache_key(request, view)


class Named(ScopedRateThrottle, FixedWindow):
    """A view's ``throttle_scope`` (``checkout``, ``promo``), per person or address."""
