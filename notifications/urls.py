from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("<int:pk>/open/", views.notification_open_view, name="open"),
    path("read-all/", views.notifications_read_all_view, name="read_all"),
    path("unread/", views.notifications_unread_view, name="unread"),
    path("stream/", views.notifications_stream_view, name="stream"),
]
