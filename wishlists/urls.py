from django.urls import include, path

from wishlists import views

app_name = "wishlists"

urlpatterns = [
    path("", views.wishlist_index_view, name="index"),
    path("toggle/", views.favourite_toggle_view, name="toggle"),
    path("new/", views.wishlist_create_view, name="create"),
    path("<int:pk>/", views.wishlist_detail_view, name="detail"),
    path("<int:pk>/rename/", views.wishlist_rename_view, name="rename"),
    path("<int:pk>/delete/", views.wishlist_delete_view, name="delete"),
    path("<int:pk>/share/", views.wishlist_share_view, name="share"),
    path("<int:pk>/unshare/", views.wishlist_unshare_view, name="unshare"),
    path("<int:pk>/to-cart/", views.wishlist_to_cart_view, name="to_cart"),
    path("<int:pk>/items/<int:item_pk>/", views.item_update_view, name="item_update"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move_view, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove_view, name="item_remove"),
    path("<int:pk>/items/<int:item_pk>/to-cart/", views.item_to_cart_view, name="item_to_cart"),
    path("shared/<str:token>/", views.wishlist_shared_view, name="shared"),
    path(
        "shared/<str:token>/items/<int:item_pk>/to-cart/",
        views.shared_item_to_cart_view,
        name="shared_to_cart",
    ),
    # Back-in-stock alerts (wishlists/alert_views.py).
    path("", include("wishlists.alert_urls")),
]
