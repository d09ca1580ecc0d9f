from django.urls import path

from shipping import views

app_name = "shipping"

urlpatterns = [
    path("webhooks/<slug:carrier>/", views.carrier_webhook_view, name="webhook"),
]
