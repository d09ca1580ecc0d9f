"""/api/v1/me/…: the signed-in person's own account (``api.account_views``)."""

from django.urls import URLPattern, path

from api import account_views as views

urlpatterns: list[URLPattern] = [
    path("me/", views.ProfileView.as_view(), name="me"),
    path("me/addresses/", views.AddressListView.as_view(), name="me-addresses"),
    path("me/addresses/<int:pk>/", views.AddressDetailView.as_view(), name="me-address"),
    path("me/orders/", views.OrderListView.as_view(), name="me-orders"),
    path("me/orders/<str:number>/", views.OrderDetailView.as_view(), name="me-order"),
    path("me/orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="me-order-cancel"),
    path("me/orders/<str:number>/returns/", views.OrderReturnsView.as_view(), name="me-order-returns"),
    path("me/orders/<str:number>/invoice/", views.OrderInvoiceView.as_view(), name="me-order-invoice"),
    path("me/wishlists/", views.WishlistListView.as_view(), name="me-wishlists"),
    path("me/wishlists/<int:pk>/", views.WishlistDetailView.as_view(), name="me-wishlist"),
    path("me/wishlists/<int:pk>/items/", views.WishlistItemsView.as_view(), name="me-wishlist-items"),
    path(
        "me/wishlists/<int:pk>/items/<int:item_pk>/",
        views.WishlistItemView.as_view(),
        name="me-wishlist-item",
    ),
    path("me/reviews/", views.ReviewListView.as_view(), name="me-reviews"),
    path("me/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="me-review"),
    path("me/notifications/", views.NoticeListView.as_view(), name="me-notifications"),
    path("me/notifications/read-all/", views.NoticesReadAllView.as_view(), name="me-notifications-read-all"),
    path("me/notifications/<int:pk>/read/", views.NoticeReadView.as_view(), name="me-notification-read"),
    path("me/data-export/", views.DataExportView.as_view(), name="me-data-export"),
]
