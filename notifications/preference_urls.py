"""Preferences and consent, under ``/notifications/`` (the notification
centre's own URLs are ``notifications.urls``)."""

from django.urls import path

from notifications import preference_views

app_name = "notification_preferences"
urlpatterns = [
    path("preferences/", preference_views.preferences_view, name="edit"),
    path("subscribe/", preference_views.subscribe_view, name="subscribe"),
    path("confirm/<str:token>/", preference_views.confirm_view, name="confirm"),
    path("unsubscribe/<str:token>/", preference_views.unsubscribe_view, name="unsubscribe"),
]
