from django.urls import path

from cart import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_detail_view, name="detail"),
    path("add/", views.cart_add_view, name="add"),
    path("lines/<int:line_id>/update/", views.cart_line_update_view, name="line_update"),
    path("lines/<int:line_id>/remove/", views.cart_line_remove_view, name="line_remove"),
    path("promo/", views.cart_promo_apply_view, name="promo_apply"),
    path("promo/remove/", views.cart_promo_remove_view, name="promo_remove"),
    path("empty/", views.cart_empty_view, name="empty"),
    path("back/<str:token>/", views.cart_restore_view, name="restore"),
]
