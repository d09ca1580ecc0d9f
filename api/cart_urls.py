"""/api/v1/: the cart, checkout and paying an order."""

from django.urls import URLPattern, path

from api.cart_views import CartLinesView, CartLineView, CartMergeView, CartPromoCodesView, CartView
from api.checkout_views import (
    CheckoutPlaceView,
    CheckoutView,
    OrderAuthenticateView,
    OrderPayView,
    ShippingOptionsView,
    ShippingOptionView,
)

urlpatterns: list[URLPattern] = [
    path("cart/", CartView.as_view(), name="cart"),
    path("cart/merge/", CartMergeView.as_view(), name="cart_merge"),
    path("cart/lines/", CartLinesView.as_view(), name="cart_lines"),
    path("cart/lines/<int:line_id>/", CartLineView.as_view(), name="cart_line"),
    path("cart/promo-codes/", CartPromoCodesView.as_view(), name="cart_promo_codes"),
    path("checkout/", CheckoutView.as_view(), name="checkout"),
    path("checkout/shipping-options/", ShippingOptionsView.as_view(), name="checkout_shipping_options"),
    path("checkout/shipping-option/", ShippingOptionView.as_view(), name="checkout_shipping_option"),
    path("checkout/place/", CheckoutPlaceView.as_view(), name="checkout_place"),
    path("orders/<str:number>/pay/", OrderPayView.as_view(), name="order_pay"),
    path(
        "orders/<str:number>/pay/authenticate/",
        OrderAuthenticateView.as_view(),
        name="order_pay_authenticate",
    ),
]
