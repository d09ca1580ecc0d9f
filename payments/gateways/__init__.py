"""Payment gateways, chosen by ``settings.PAYMENT_GATEWAY`` for new payments;
a payment keeps the gateway it was made with."""

from django.conf import settings

from payments.gateways.base import Gateway
from payments.gateways.stripe import StripeGateway
from payments.gateways.testmode import TestGateway

GATEWAYS: dict[str, type[Gateway]] = {"test": TestGateway, "stripe": StripeGateway}


def gateway_get(name: str | None = None) -> Gateway:
    """The gateway of this name, or the configured one."""
    name = name or settings.PAYMENT_GATEWAY
    try:
        return GATEWAYS[name]()
    except KeyError:
        raise LookupError(f"Unknown payment gateway {name!r}; known: {', '.join(GATEWAYS)}.") from None
