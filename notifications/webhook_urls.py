"""The email provider's webhooks (anymail's URLs: tracking of bounces and
complaints, and inbound mail), each answering a body it cannot read with a
400 and the reason instead of anymail's 500: a malformed delivery is the
sender's error, never ours. Authenticated by anymail (basic auth with
``ANYMAIL["WEBHOOK_SECRET"]``); ``notifications.apps`` hears the events."""

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail.urls import urlpatterns as anymail_urlpatterns
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, URLResolver, path, re_path
from django.urls.resolvers import RegexPattern, RoutePattern

logger = logging.getLogger(__name__)


def _unreadable_is_400(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as error:
            logger.warning("Unreadable email-provider webhook at %s: %s", request.path, error)
            return HttpResponseBadRequest(
                b"The body of this webhook could not be read.", content_type="text/plain"
            )

    return wrapped


def _wrapped(pattern: URLPattern | URLResolver) -> URLPattern:
    assert isinstance(pattern, URLPattern)  # noqa: S101  (anymail's are plain views)
    route = pattern.pattern
    view = _unreadable_is_400(pattern.callback)
    if isinstance(route, RegexPattern):
        return re_path(str(route), view, name=pattern.name)
    assert isinstance(route, RoutePattern)  # noqa: S101
    return path(str(route), view, name=pattern.name)


app_name = "anymail"
urlpatterns = [_wrapped(pattern) for pattern in anymail_urlpatterns]
