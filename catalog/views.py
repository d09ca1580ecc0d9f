"""Shopper pages of the catalog. Views parse, call a selector, render.

Owned in parts while the catalog is built: the listing, category and search
suggestion views by the listing work, the home and product views by the
product-page work."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/home.html")


def product_list_view(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def category_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def search_suggest_view(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
