from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("webhooks/<slug:gateway>/", views.webhook_view, name="webhook"),
]
