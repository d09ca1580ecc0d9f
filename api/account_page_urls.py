"""``/accounts/tokens/…``: a person's personal access tokens (``api.account_pages``)."""

from django.urls import path

from api import account_pages

app_name = "api_tokens"

urlpatterns = [
    path("tokens/", account_pages.token_list_view, name="list"),
    path("tokens/<int:pk>/revoke/", account_pages.token_revoke_view, name="revoke"),
]
