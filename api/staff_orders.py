"""/api/v1/staff/: orders and returns, as the admin shows and moves them.

Every action calls the service the admin's action page calls
(``orders/admin/order_actions.py``, ``orders/admin/return_admin.py``), with
the admin's permissions: ``orders.view_*`` to read, ``orders.change_*`` to
act, and the ``staff:orders`` scope."""

import hashlib
import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.rollups import day_bounds
from api.idempotency import HEADER, Owner, idempotent
from api.scopes import STAFF_ORDERS
from api.staff_serializers import (
    NoteSerializer,
    ReceiveSerializer,
    RefundSerializer,
    RejectSerializer,
    ReturnFilterSerializer,
    ShipSerializer,
    StaffNoteSerializer,
    StaffOrderDetailSerializer,
    StaffOrderFilterSerializer,
    StaffOrderSerializer,
    StaffRefundSerializer,
    StaffReturnSerializer,
    StaffShipmentSerializer,
)
from api.staff_views import StaffListView, StaffView, parsed, staff_member
from orders.lifecycle.cancellation import order_cancel
from orders.lifecycle.fulfilment import order_mark_delivered, order_note_add, order_ship
from orders.lifecycle.refunds import order_refund
from orders.lifecycle.returns import return_approve, return_receive, return_refund, return_reject
from orders.selectors import (
    order_events_for_staff,
    order_get_for_staff,
    order_returns,
    orders_for_staff,
    return_get_for_staff,
    returns_for_staff,
)
from payments.selectors import payment_list_for_order
from shipping.selectors import shipments_for_reference

VIEW_ORDER, CHANGE_ORDER = "orders.view_order", "orders.change_order"
VIEW_RETURN, CHANGE_RETURN = "orders.view_return", "orders.change_return"

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): the same request again with it refunds once and gets "
    "the first answer back; another request with it is a 422.",
)


def order_page(number: str) -> dict[str, Any]:
    """The order with everything the admin's order page shows."""
    order = order_get_for_staff(number=number)
    context = {
        "payments": payment_list_for_order(order_reference=order.number),
        "shipments": shipments_for_reference(reference=order.number),
        "returns": order_returns(order=order),
        "events": order_events_for_staff(order=order),
    }
    return dict(StaffOrderDetailSerializer(order, context=context).data)


# --- Orders -------------------------------------------------------------------------------


class OrderList(StaffListView):
    scopes = {"GET": STAFF_ORDERS}
    staff_permissions = {"GET": [VIEW_ORDER]}
    serializer_class = StaffOrderSerializer

    def get_queryset(self) -> Any:
        filters = parsed(StaffOrderFilterSerializer, self.request.query_params)
        paid_from, paid_to = filters.get("paid_from"), filters.get("paid_to")
        return orders_for_staff(
            status=filters.get("status", ""),
            paid_from=day_bounds(paid_from)[0] if paid_from else None,
            paid_before=day_bounds(paid_to)[1] if paid_to else None,
            email=filters.get("email", ""),
            number=filters.get("number", ""),
        )

    @extend_schema(parameters=[StaffOrderFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OrderDetail(StaffView):
    scopes = {"GET": STAFF_ORDERS}
    staff_permissions = {"GET": [VIEW_ORDER]}

    @extend_schema(responses=StaffOrderDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(order_page(number))


class _OrderAction(StaffView):
    scopes = {"POST": STAFF_ORDERS}
    staff_permissions = {"POST": [CHANGE_ORDER]}


class OrderShip(_OrderAction):
    @extend_schema(request=ShipSerializer, responses={201: StaffShipmentSerializer})
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(number=number)
        data = parsed(ShipSerializer, request.data)
        shipment = order_ship(order_id=order.pk, by=staff_member(request), **data)
        return Response(StaffShipmentSerializer(shipment).data, status=201)


class OrderDeliver(_OrderAction):
    @extend_schema(request=NoteSerializer, responses=StaffOrderDetailSerializer)
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(number=number)
        data = parsed(NoteSerializer, request.data)
        order_mark_delivered(order_id=order.pk, by=staff_member(request), note=data["note"])
        return Response(order_page(order.number))


class OrderCancel(_OrderAction):
    @extend_schema(request=NoteSerializer, responses=StaffOrderDetailSerializer)
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(number=number)
        data = parsed(NoteSerializer, request.data)
        order_cancel(order_id=order.pk, by=staff_member(request), note=data["note"])
        return Response(order_page(order.number))


class OrderNote(_OrderAction):
    """The admin's "Add a note": a line in the order's history for staff."""

    @extend_schema(request=StaffNoteSerializer, responses={201: StaffOrderDetailSerializer})
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(number=number)
        data = parsed(StaffNoteSerializer, request.data)
        order_note_add(order_id=order.pk, by=staff_member(request), note=data["note"])
        return Response(order_page(order.number), status=201)


class OrderRefund(_OrderAction):
    """The admin's "Refund". With an ``Idempotency-Key`` (api/idempotency.py)
    the same request again gets the first answer back (``Idempotent-Replayed``),
    another request with the key a 422; and the refund service's own key
    (payments' unique ``Refund.idempotency_key``) is derived from it, so even
    past the header's 24 hours the order is refunded once per key."""

    @extend_schema(
        request=RefundSerializer, responses={201: StaffRefundSerializer}, parameters=[IDEMPOTENCY_KEY]
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(number=number)
        data = parsed(RefundSerializer, request.data)
        by = staff_member(request)

        def refund() -> Response:
            given = request.headers.get(HEADER)  # hashed: 255 characters with the prefix would not fit
            mine = hashlib.sha256(given.encode()).hexdigest() if given else uuid.uuid4().hex
            key = f"api:{order.number}:{mine}"
            made = order_refund(order_id=order.pk, by=by, key=key, **data)
            return Response(StaffRefundSerializer(made).data, status=201)

        return idempotent(request, owner=Owner(user=by), operation=refund)


# --- Returns ------------------------------------------------------------------------------


class ReturnList(StaffListView):
    scopes = {"GET": STAFF_ORDERS}
    staff_permissions = {"GET": [VIEW_RETURN]}
    serializer_class = StaffReturnSerializer

    def get_queryset(self) -> Any:
        filters = parsed(ReturnFilterSerializer, self.request.query_params)
        return returns_for_staff(status=filters.get("status", ""))

    @extend_schema(parameters=[ReturnFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ReturnDetail(StaffView):
    scopes = {"GET": STAFF_ORDERS}
    staff_permissions = {"GET": [VIEW_RETURN]}

    @extend_schema(responses=StaffReturnSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(StaffReturnSerializer(return_get_for_staff(number=number)).data)


class _ReturnAction(StaffView):
    scopes = {"POST": STAFF_ORDERS}
    staff_permissions = {"POST": [CHANGE_RETURN]}

    def _done(self, number: str) -> Response:
        return Response(StaffReturnSerializer(return_get_for_staff(number=number)).data)


class ReturnApprove(_ReturnAction):
    @extend_schema(request=NoteSerializer, responses=StaffReturnSerializer)
    def post(self, request: Request, number: str) -> Response:
        ret = return_get_for_staff(number=number)
        data = parsed(NoteSerializer, request.data)
        return_approve(return_id=ret.pk, by=staff_member(request), note=data["note"])
        return self._done(ret.number)


class ReturnReject(_ReturnAction):
    @extend_schema(request=RejectSerializer, responses=StaffReturnSerializer)
    def post(self, request: Request, number: str) -> Response:
        ret = return_get_for_staff(number=number)
        data = parsed(RejectSerializer, request.data)
        return_reject(return_id=ret.pk, by=staff_member(request), note=data["reason"])
        return self._done(ret.number)


class ReturnReceive(_ReturnAction):
    @extend_schema(request=ReceiveSerializer, responses=StaffReturnSerializer)
    def post(self, request: Request, number: str) -> Response:
        ret = return_get_for_staff(number=number)
        data = parsed(ReceiveSerializer, request.data)
        return_receive(return_id=ret.pk, by=staff_member(request), restock=data["restock"], note=data["note"])
        return self._done(ret.number)


class ReturnRefund(_ReturnAction):
    @extend_schema(request=NoteSerializer, responses=StaffReturnSerializer)
    def post(self, request: Request, number: str) -> Response:
        ret = return_get_for_staff(number=number)
        data = parsed(NoteSerializer, request.data)
        return_refund(return_id=ret.pk, by=staff_member(request), note=data["note"])
        return self._done(ret.number)
