"""/api/v1/: the cart endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
