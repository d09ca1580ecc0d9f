"""/api/v1/: the staff endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
