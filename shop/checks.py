"""Deploy checks of the shop's own settings (``manage.py check --deploy``)."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@register(Tags.security, deploy=True)
def shop_url_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Emails link to SHOP_URL: a deploy that forgot it sends links to a laptop."""
    parts = urlsplit(settings.SHOP_URL)
    if parts.hostname in LOCAL_HOSTS or parts.scheme != "https":
        return [
            Warning(
                f"SHOP_URL is {settings.SHOP_URL!r}: emails would link there.",
                hint="Set SHOP_URL to the shop's public https address, e.g. https://shop.example.com.",
                id="shop.W001",
            )
        ]
    return []
