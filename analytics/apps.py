from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        # A sign-up happens inside allauth's views: its signal is where we
        # hear of it ("anyone may listen"); one call records it.
        user_signed_up.connect(_signed_up, dispatch_uid="analytics_sign_up")


def _signed_up(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from analytics.events import Name, track

    if request is not None:
        track(request, Name.SIGN_UP, user=user)
