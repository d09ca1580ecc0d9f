"""``/accounts/…``: the account pages (namespace ``accounts``). Those of
accounts itself, plus "Download my data" and "Delete my account", which
gather every app's part and so live in orders (``orders.privacy_views``)."""

from django.urls import path

from accounts.urls import urlpatterns as account_urlpatterns
from orders import privacy_views

app_name = "accounts"

urlpatterns = [
    *account_urlpatterns,
    path("data-export/", privacy_views.data_export_view, name="data_export"),
    path("delete/", privacy_views.account_delete_view, name="delete"),
]
