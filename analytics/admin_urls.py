"""/admin/analytics/: the staff dashboard (analytics/admin_views.py)."""

from django.contrib import admin
from django.urls import path

from analytics import admin_views

app_name = "analytics_admin"

urlpatterns = [
    # admin_view: staff only (others go to the admin's sign-in), never cached.
    path("", admin.site.admin_view(admin_views.dashboard_view), name="dashboard"),
]
