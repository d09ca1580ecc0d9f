"""/api/v1/: the catalog endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
