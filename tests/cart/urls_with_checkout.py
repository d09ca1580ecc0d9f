"""The shop's URLs plus a stand-in ``orders:checkout``, for the cart page's
checkout button before (or whatever) the orders app provides."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from shop.urls import urlpatterns as shop_urlpatterns


def _checkout(request: HttpRequest) -> HttpResponse:
    return HttpResponse("checkout")


urlpatterns = [
    path("", include(([path("checkout/", _checkout, name="checkout")], "orders"))),
    *shop_urlpatterns,
]
