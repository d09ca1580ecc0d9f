from django.urls import path

from orders import account_views, return_views
from orders.checkout import views

app_name = "orders"

urlpatterns = [
    path("checkout/", views.checkout_view, name="checkout"),
    path("checkout/contact/", views.checkout_contact_view, name="checkout_contact"),
    path("checkout/address/", views.checkout_address_view, name="checkout_address"),
    path("checkout/shipping/", views.checkout_shipping_view, name="checkout_shipping"),
    path("checkout/payment/", views.checkout_payment_view, name="checkout_payment"),
    path(
        "checkout/payment/authenticate/",
        views.checkout_payment_authenticate_view,
        name="checkout_payment_authenticate",
    ),
    path("checkout/payment/confirm/", views.checkout_payment_confirm_view, name="checkout_payment_confirm"),
    path("checkout/payment/return/", views.checkout_payment_return_view, name="checkout_payment_return"),
    path("checkout/complete/<str:number>/", views.checkout_complete_view, name="checkout_complete"),
    path("orders/", account_views.order_history_view, name="history"),
    path("orders/<str:number>/", account_views.order_detail_view, name="detail"),
    path("orders/<str:number>/cancel/", account_views.order_cancel_view, name="cancel"),
    path("orders/<str:number>/buy-again/", account_views.order_buy_again_view, name="buy_again"),
    path("orders/<str:number>/invoice/", account_views.order_invoice_view, name="invoice"),
    path("orders/<str:number>/returns/new/", return_views.return_new_view, name="return_new"),
    path("track/", account_views.order_track_view, name="track"),
]
