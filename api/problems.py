"""Errors in one shape: RFC 9457 problem details (``application/problem+json``)
with ``type``, ``title``, ``status``, ``detail``, the ``code`` of the
error, and for bad input ``errors``: each field's messages (``non_field_errors``
for the request as a whole). Unknown URLs under ``/api/`` get the same."""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

CONTENT_TYPE = "application/problem+json"


def problem(status: int, detail: str, *, code: str = "", errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if errors is not None:
        body["errors"] = errors
    return body


def problem_exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, Http404):
        error = exceptions.NotFound(_("Not found."))
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied()
    response = exception_handler(error, context)
    if response is None or not isinstance(error, exceptions.APIException):
        return response  # a server error: Django's 500 handling, logged
    if isinstance(error, exceptions.ValidationError):
        errors = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
        body = problem(
            response.status_code, _("The request has invalid fields."), code="invalid", errors=errors
        )
    else:
        codes = error.get_codes()
        body = problem(
            response.status_code, str(error.detail), code=codes if isinstance(codes, str) else "error"
        )
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


@csrf_exempt  # it changes nothing: a 404 whatever the method and cookies
def not_found_view(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any URL under /api/ that names nothing."""
    return JsonResponse(
        problem(404, _("There is no such API address."), code="not_found"),
        status=404,
        content_type=CONTENT_TYPE,
    )
