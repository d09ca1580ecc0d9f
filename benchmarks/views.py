from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Product


def minimal_view(request: HttpRequest) -> HttpResponse:
    """The yardstick: one query and a small template, through the same
    middleware and server settings as the shop's pages."""
    product = Product.objects.only("title", "slug").order_by("pk").first()
    return render(request, "bench/minimal.html", {"product": product})
