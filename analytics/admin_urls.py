"""/admin/analytics/: the staff dashboard (analytics/admin_views.py)."""

app_name = "analytics_admin"

urlpatterns: list = []
