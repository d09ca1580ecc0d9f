"""Fixtures of the shipping tests: an EasyPost stand-in on a local port and
the settings that point the adapter at it."""

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from tests.shipping.easypost_standin import API_KEY, EasyPostStandIn

ORIGIN = {
    "company_name": "Shop GmbH",
    "street_address_1": "Unter den Linden 1",
    "city": "BERLIN",
    "postal_code": "10117",
    "country_code": "DE",
}
WEBHOOK_SECRET = "whsec-standin"


@pytest.fixture
def easypost(settings: Settings) -> Iterator[EasyPostStandIn]:
    """EasyPost enabled beside the table rates and answering from a local
    stand-in; short timeouts keep the slow cases quick."""
    standin = EasyPostStandIn()
    standin.start()
    settings.SHIPPING_CARRIERS = ["table", "easypost"]
    settings.EASYPOST_API_KEY = API_KEY
    settings.EASYPOST_API_BASE = standin.url
    settings.EASYPOST_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.EASYPOST_TIMEOUT_SECONDS = 0.5
    settings.SHIPPING_LIVE_QUOTE_WAIT_SECONDS = 1
    settings.SHIPPING_ORIGIN = ORIGIN
    yield standin
    standin.stop()
