"""Rendered catalog pages for anonymous shoppers, cached by catalog generation.

A catalog page costs tens of milliseconds to build (search, facets, two dozen
product cards), and for a shopper without a session it is the same for
everyone. Such requests get the rendered HTML from the cache.

Freshness: every change a shopper could see (a product, category, image or
price saved, stock moved, a search vector refreshed) bumps one generation
number, and the generation is part of every key, so a change makes all cached
pages stale at once, without tracking which pages showed what. The bump
happens at once and again after commit, so a page cached between the two
(from data not yet committed) is dropped too.

Per-person content never enters the cache: requests with a session or a
pending message are served live, and the CSRF token is a placeholder in the
cached HTML, replaced with this visitor's token on the way out.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

GENERATION_KEY = "catalog:generation"
CSRF_PLACEHOLDER = "catalog-page-cache-csrf-placeholder"
_CACHING = "_catalog_page_caching"

type View = Callable[..., HttpResponse]


def catalog_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return int(generation)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key was evicted: any new value makes old keys unreachable
        cache.set(GENERATION_KEY, catalog_generation() + 1, timeout=None)


def catalog_generation_bump() -> None:
    """Make every cached catalog page stale, now and once more after commit."""
    _bump()
    transaction.on_commit(_bump)


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def csrf_placeholder(request: HttpRequest) -> dict[str, Any]:
    """Context processor: while a page is rendered for the cache, forms get a
    placeholder instead of this visitor's CSRF token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _CACHING, False) else {}


# Headers a view sets that the cached page keeps (the listing's result count).
KEPT_HEADERS = ("X-Results",)


def _kept_headers(response: HttpResponse) -> dict[str, str]:
    return {name: response[name] for name in KEPT_HEADERS if name in response}


def page_cached(view: View) -> View:
    """Serve the view's 200 responses from the cache for anonymous shoppers
    (``CATALOG_PAGE_CACHE_SECONDS``; 0 turns it off)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        timeout = settings.CATALOG_PAGE_CACHE_SECONDS
        if not timeout or not _cacheable(request):
            return view(request, *args, **kwargs)
        address = f"{request.get_host()}{request.get_full_path()}"
        key = f"catalog:page:v2:{catalog_generation()}:{hashlib.sha256(address.encode()).hexdigest()}"
        entry = cache.get(key)
        if entry is None:
            setattr(request, _CACHING, True)
            response = view(request, *args, **kwargs)
            setattr(request, _CACHING, False)
            if response.status_code != 200 or response.cookies or response.streaming:
                return response
            entry = (
                response.content.decode(response.charset),
                response["Content-Type"],
                _kept_headers(response),
            )
            cache.set(key, entry, timeout)
        html, content_type, headers = entry
        response = HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type)
        for name, value in headers.items():
            response[name] = value
        response["Vary"] = "Cookie"
        return response

    return wrapper
