"""/admin/analytics/export/: the reports as CSV, XLSX and PDF (analytics/export_views.py)."""

app_name = "analytics_exports"

urlpatterns: list = []
