"""The account pages of accounts itself. The URL namespace ``accounts`` is
served by ``orders.account_urls``, which adds the two pages that span every
app (data export, deletion)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile_view, name="profile"),
    path("addresses/", views.address_list_view, name="addresses"),
    path("addresses/new/", views.address_create_view, name="address_create"),
    path("addresses/<int:pk>/", views.address_edit_view, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete_view, name="address_delete"),
    path(
        "addresses/<int:pk>/default/<str:kind>/",
        views.address_default_view,
        name="address_default",
    ),
]  # "Download my data" and "Delete my account" are added by orders.account_urls.
