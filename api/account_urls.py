"""/api/v1/: the account endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
