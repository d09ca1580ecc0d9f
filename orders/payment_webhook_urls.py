"""``/payments/webhooks/<gateway>/``: the path stays under payments (the
gateways are configured with it); the view is the orders' (it moves orders)."""

from django.urls import path

from orders.payment_webhooks import payment_webhook_view

app_name = "payments"

urlpatterns = [
    path("webhooks/<slug:gateway>/", payment_webhook_view, name="webhook"),
]
