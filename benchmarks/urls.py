from django.urls import include, path

from benchmarks.views import minimal_view

urlpatterns = [
    path("bench/minimal/", minimal_view, name="bench_minimal"),
    path("", include("shop.urls")),
]
