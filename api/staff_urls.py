"""/api/v1/staff/: the staff endpoints (orders, returns, catalog, analytics)."""

from django.urls import URLPattern, path

from api import staff_analytics, staff_catalog, staff_orders

urlpatterns: list[URLPattern] = [
    path("orders/", staff_orders.OrderList.as_view(), name="staff-orders"),
    path("orders/<str:number>/", staff_orders.OrderDetail.as_view(), name="staff-order"),
    path("orders/<str:number>/ship/", staff_orders.OrderShip.as_view(), name="staff-order-ship"),
    path("orders/<str:number>/deliver/", staff_orders.OrderDeliver.as_view(), name="staff-order-deliver"),
    path("orders/<str:number>/refund/", staff_orders.OrderRefund.as_view(), name="staff-order-refund"),
    path("orders/<str:number>/cancel/", staff_orders.OrderCancel.as_view(), name="staff-order-cancel"),
    path("orders/<str:number>/notes/", staff_orders.OrderNote.as_view(), name="staff-order-note"),
    path("returns/", staff_orders.ReturnList.as_view(), name="staff-returns"),
    path("returns/<str:number>/", staff_orders.ReturnDetail.as_view(), name="staff-return"),
    path("returns/<str:number>/approve/", staff_orders.ReturnApprove.as_view(), name="staff-return-approve"),
    path("returns/<str:number>/reject/", staff_orders.ReturnReject.as_view(), name="staff-return-reject"),
    path("returns/<str:number>/receive/", staff_orders.ReturnReceive.as_view(), name="staff-return-receive"),
    path("returns/<str:number>/refund/", staff_orders.ReturnRefund.as_view(), name="staff-return-refund"),
    path("products/", staff_catalog.ProductList.as_view(), name="staff-products"),
    path("products/<int:product_id>/", staff_catalog.ProductDetail.as_view(), name="staff-product"),
    path("variants/<int:variant_id>/", staff_catalog.VariantDetail.as_view(), name="staff-variant"),
    path(
        "variants/<int:variant_id>/stock/",
        staff_catalog.VariantStockAdjust.as_view(),
        name="staff-variant-stock",
    ),
    path(
        "variants/<int:variant_id>/stock-movements/",
        staff_catalog.VariantStockMovements.as_view(),
        name="staff-variant-stock-movements",
    ),
    path("analytics/summary/", staff_analytics.AnalyticsSummary.as_view(), name="staff-analytics-summary"),
    path(
        "analytics/reports/<str:key>/",
        staff_analytics.AnalyticsReport.as_view(),
        name="staff-analytics-report",
    ),
]
