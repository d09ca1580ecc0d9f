"""/api/: the versioned API (v1), its OpenAPI schema and its documentation."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.problems import not_found_view

app_name = "api"

v1 = [
    path("", include("api.catalog_urls")),
    path("", include("api.cart_urls")),
    path("", include("api.account_urls")),
    path("staff/", include("api.staff_urls")),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<path>.*)$", not_found_view),
]
