"""What the staff API's views share (the views: ``staff_orders``,
``staff_catalog``, ``staff_analytics``).

Each view declares its scope and the Django model permissions the admin
needs for the same page or action; ``api.permissions.ScopePermission``
enforces them (401 for nobody, 403 "staff only" for a customer, 403 naming
the missing permission or scope). A service's refusal (an order or return
in the wrong state, stock that would go below what is reserved) is a 409
problem with the service's message; an unknown number or id is a 404."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, generics, mixins
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from analytics.reports import PeriodError
from catalog.stock import StockError
from orders.lifecycle.transitions import OrderStateError


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = gettext_lazy("This cannot be done in the current state.")
    default_code = "conflict"


class StaffView(generics.GenericAPIView[Any]):
    """A staff endpoint: the services' refusals as problems, never a 500."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, OrderStateError):  # ReturnError too
            exc = Conflict(exc.message, code="refused")
        elif isinstance(exc, StockError):
            exc = Conflict(str(exc), code="stock")
        elif isinstance(exc, PeriodError):
            exc = exceptions.ValidationError({"non_field_errors": [str(exc)]})
        elif isinstance(exc, ObjectDoesNotExist):
            exc = exceptions.NotFound(_("Not found."))
        return super().handle_exception(exc)


def parsed(serializer_class: type[Serializer[Any]], data: Any, **kwargs: Any) -> dict[str, Any]:
    """``data`` checked by ``serializer_class``: its validated data, or a 400 with each field's errors."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def staff_member(request: Request) -> Any:
    """The staff member acting, whom the services record as ``by``."""
    return request.user


class StaffListView(mixins.ListModelMixin, StaffView):
    """A list: ``get_queryset`` (reading its filters), cursor-paginated."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)
