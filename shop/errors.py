"""Django's own error answers (a malformed request, a failed CSRF check, an
unknown address, a crash) as problem documents for the JSON API under
``/api/``, and as the shop's error pages everywhere else. The API's own
errors are rendered by api/problems.py; these are the ones Django raises
before or outside a DRF view."""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as page_csrf_failure

API_PREFIX = "/api/"


def _problem(status: int, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _api(request):
        return _problem(400, "The request is malformed.")
    return defaults.bad_request(request, exception, **kwargs)


def permission_denied(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _api(request):
        return _problem(403, "Forbidden.")
    return defaults.permission_denied(request, exception, **kwargs)


def page_not_found(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _api(request):
        return _problem(404, "There is no such API address.")
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _api(request):
        return _problem(500, "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request, **kwargs)


def csrf_failure(request: HttpRequest, reason: str = "", **kwargs: Any) -> HttpResponse:
    if _api(request):
        return _problem(403, f"CSRF check failed: {reason} Send a token instead of the session cookie.")
    return page_csrf_failure(request, reason, **kwargs)
