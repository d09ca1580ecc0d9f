"""System checks of the payment settings: a shop configured for Stripe
without its keys, or with keys of the wrong kind, does not start."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from payments.gateways import GATEWAYS

_KEYS = (
    ("STRIPE_SECRET_KEY", ("sk_", "rk_"), "a secret (sk_...) or restricted (rk_...) key"),
    ("STRIPE_PUBLISHABLE_KEY", ("pk_",), "a publishable key (pk_...)"),
    ("STRIPE_WEBHOOK_SECRET", ("whsec_",), "a webhook signing secret (whsec_...)"),
)


@register(Tags.compatibility)
def payment_settings_check(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.PAYMENT_GATEWAY not in GATEWAYS:
        errors.append(
            Error(
                f"PAYMENT_GATEWAY is {settings.PAYMENT_GATEWAY!r}; it must be one of: {', '.join(GATEWAYS)}.",
                id="payments.E001",
            )
        )
    if settings.PAYMENT_CAPTURE not in ("automatic", "manual"):
        errors.append(
            Error(
                f"PAYMENT_CAPTURE is {settings.PAYMENT_CAPTURE!r}; use automatic or manual.",
                id="payments.E002",
            )
        )
    if settings.PAYMENT_GATEWAY == "stripe":
        for name, prefixes, kind in _KEYS:
            value = getattr(settings, name)
            if not value:
                errors.append(
                    Error(
                        f"PAYMENT_GATEWAY is stripe but {name} is not set.",
                        hint=f"Set {name} to {kind} from the Stripe dashboard, or use PAYMENT_GATEWAY=test.",
                        id="payments.E003",
                    )
                )
            elif not value.startswith(prefixes):
                errors.append(Error(f"{name} must be {kind}.", id="payments.E004"))
    return errors
