"""/api/v1/staff/: products, prices and stock, as the catalog's admin edits
them, with its permissions (``catalog.view_*`` to read, ``catalog.change_*``
to edit) and the ``staff:catalog`` scope.

Edits are checked by the model's form, as the admin's pages check them, and
saved through the services the admin calls (``catalog.services.product_update``
and ``variant_update``); stock moves only through ``catalog.stock.stock_adjust``,
which writes the ledger and refuses to go below what is reserved (a 409).
The catalog has no cost prices, so there is nothing to hold back from staff
who may only view."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.scopes import STAFF_CATALOG
from api.staff_serializers import (
    PRODUCT_FORM_FIELDS,
    VARIANT_FORM_FIELDS,
    ProductPatchSerializer,
    StaffProductDetailSerializer,
    StaffProductFilterSerializer,
    StaffProductSerializer,
    StaffVariantSerializer,
    StockAdjustedSerializer,
    StockAdjustSerializer,
    StockMovementSerializer,
    VariantPatchSerializer,
    model_form_check,
)
from api.staff_views import StaffListView, StaffView, parsed, staff_member
from catalog.selectors.staff import (
    product_get_for_staff,
    products_for_staff,
    stock_movements_for_variant,
    variant_get_for_staff,
)
from catalog.services import product_update, variant_update
from catalog.stock import stock_adjust

M2M = ("categories", "tags")


class ProductList(StaffListView):
    scopes = {"GET": STAFF_CATALOG}
    staff_permissions = {"GET": ["catalog.view_product"]}
    serializer_class = StaffProductSerializer

    def get_queryset(self) -> Any:
        filters = parsed(StaffProductFilterSerializer, self.request.query_params)
        return products_for_staff(
            q=filters.get("q", ""),
            is_active=filters["is_active"],
            is_featured=filters["is_featured"],
            in_stock=filters["in_stock"],
            brand=filters.get("brand", ""),
            category_id=filters.get("category"),
            tag=filters.get("tag", ""),
        )

    @extend_schema(parameters=[StaffProductFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ProductDetail(StaffView):
    scopes = {"GET": STAFF_CATALOG, "PATCH": STAFF_CATALOG}
    staff_permissions = {"GET": ["catalog.view_product"], "PATCH": ["catalog.change_product"]}

    @extend_schema(responses=StaffProductDetailSerializer)
    def get(self, request: Request, product_id: int) -> Response:
        return Response(StaffProductDetailSerializer(product_get_for_staff(product_id=product_id)).data)

    @extend_schema(request=ProductPatchSerializer, responses=StaffProductDetailSerializer)
    def patch(self, request: Request, product_id: int) -> Response:
        product = product_get_for_staff(product_id=product_id)
        cleaned = model_form_check(product, parsed(ProductPatchSerializer, request.data), PRODUCT_FORM_FIELDS)
        product_update(
            product_id=product.pk,
            changes={name: value for name, value in cleaned.items() if name not in M2M},
            categories=cleaned.get("categories"),
            tags=cleaned.get("tags"),
        )
        return Response(StaffProductDetailSerializer(product_get_for_staff(product_id=product.pk)).data)


class VariantDetail(StaffView):
    scopes = {"GET": STAFF_CATALOG, "PATCH": STAFF_CATALOG}
    staff_permissions = {"GET": ["catalog.view_variant"], "PATCH": ["catalog.change_variant"]}

    @extend_schema(responses=StaffVariantSerializer)
    def get(self, request: Request, variant_id: int) -> Response:
        return Response(StaffVariantSerializer(variant_get_for_staff(variant_id=variant_id)).data)

    @extend_schema(request=VariantPatchSerializer, responses=StaffVariantSerializer)
    def patch(self, request: Request, variant_id: int) -> Response:
        variant = variant_get_for_staff(variant_id=variant_id)
        changes = model_form_check(variant, parsed(VariantPatchSerializer, request.data), VARIANT_FORM_FIELDS)
        return Response(StaffVariantSerializer(variant_update(variant_id=variant.pk, changes=changes)).data)


class VariantStockAdjust(StaffView):
    """The admin's "Adjust stock" page of one variant."""

    scopes = {"POST": STAFF_CATALOG}
    staff_permissions = {"POST": ["catalog.change_variant"]}

    @extend_schema(request=StockAdjustSerializer, responses={201: StockAdjustedSerializer})
    def post(self, request: Request, variant_id: int) -> Response:
        variant = variant_get_for_staff(variant_id=variant_id)
        data = parsed(StockAdjustSerializer, request.data)
        movement = stock_adjust(variant=variant, by=staff_member(request), **data)
        return Response(StockAdjustedSerializer({"movement": movement, "variant": variant}).data, status=201)


class VariantStockMovements(StaffListView):
    """The variant's stock ledger, newest first."""

    scopes = {"GET": STAFF_CATALOG}
    staff_permissions = {"GET": ["catalog.view_stockmovement"]}
    serializer_class = StockMovementSerializer

    def get_queryset(self) -> Any:
        variant = variant_get_for_staff(variant_id=self.kwargs["variant_id"])  # a 404 for an unknown one
        return stock_movements_for_variant(variant_id=variant.pk)
