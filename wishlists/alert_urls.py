"""The back-in-stock alerts' URLs, under /wishlists/ in the wishlists namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
