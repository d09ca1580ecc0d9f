"""``/shipping/webhooks/<carrier>/``: the path stays under shipping (the
carriers are configured with it); the view is the orders' (it moves orders)."""

from django.urls import path

from orders.carrier_webhooks import carrier_webhook_view

app_name = "shipping"

urlpatterns = [
    path("webhooks/<slug:carrier>/", carrier_webhook_view, name="webhook"),
]
