from django.urls import path

from accounts import views

app_name = "accounts"

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
    path("data-export/", views.data_export_view, name="data_export"),
    path("delete/", views.account_delete_view, name="delete"),
]
