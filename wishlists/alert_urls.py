"""The back-in-stock alerts' URLs, under /wishlists/ in the wishlists namespace."""

from django.urls import path

from wishlists import alert_views

urlpatterns = [
    path("alerts/", alert_views.stock_alert_subscribe_view, name="alert_subscribe"),
    path("alerts/confirm/<str:token>/", alert_views.stock_alert_confirm_view, name="alert_confirm"),
]
