from django.urls import include, path

from wishlists import views

app_name = "wishlists"

urlpatterns = [
    # Back-in-stock alerts (wishlists/alert_views.py).
    path("", include("wishlists.alert_urls")),
]
