"""/admin/analytics/export/: the reports as CSV, XLSX and PDF (analytics/export_views.py)."""

from django.urls import path

from analytics import export_views

app_name = "analytics_exports"

urlpatterns = [
    path("", export_views.export, name="export"),
]
