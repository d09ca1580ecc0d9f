from typing import Any

from anymail.signals import tracking
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # anymail's tracking webhook (/anymail/<esp>/tracking/: bounces,
        # complaints) delivers the provider's events only through its
        # ``tracking`` signal: the one place where a library's signal is the
        # integration point. The receiver hands each event to one service.
        tracking.connect(_email_tracking_received, dispatch_uid="notifications.email_tracking")


def _email_tracking_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    from notifications.preferences import email_tracking_event_apply  # models are ready only now

    email_tracking_event_apply(event=event, esp_name=esp_name)
