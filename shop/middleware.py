"""Middleware of the whole shop."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class NulRefusedMiddleware:
    """A NUL character in the path or the query string is a 400 at the door.
    PostgreSQL cannot store or even compare text holding one, so a lookup of
    ``/orders/%00/`` would otherwise end in a database error (a 500). Form
    fields refuse NUL themselves (Django's ``ProhibitNullCharactersValidator``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL character in the address")
        return self.get_response(request)
