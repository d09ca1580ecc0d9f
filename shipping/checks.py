"""System checks: a carrier name in SHIPPING_CARRIERS that no adapter has
is a typo that would silently leave the shop without those rates."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register()
def shipping_carriers_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from shipping.carriers import CARRIERS

    return [
        Warning(
            f"SHIPPING_CARRIERS names {name!r}, which is not a carrier adapter.",
            hint=f"Known carriers: {', '.join(sorted(CARRIERS))}.",
            id="shipping.W001",
        )
        for name in settings.SHIPPING_CARRIERS
        if name not in CARRIERS
    ]
