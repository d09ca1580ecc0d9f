"""The shop's public address, ``SHOP_URL``: the links in messages sent
without a request (order emails, staff alerts), and the domain and name of
the Sites framework's ``Site``, which allauth's account emails read."""

from typing import Any
from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router


def shop_url(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) at ``SHOP_URL``.

    >>> from django.test import override_settings
    >>> with override_settings(SHOP_URL="https://shop.example.org/"):
    ...     shop_url("/orders/7KQ2-M9XP-A4DE/")
    'https://shop.example.org/orders/7KQ2-M9XP-A4DE/'
    """
    return f"{settings.SHOP_URL.rstrip('/')}{path}"


def site_update_from_settings(
    *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs: Any
) -> None:
    """After ``migrate`` (post_migrate, as the Sites framework creates its
    ``example.com``): the Site of ``SITE_ID`` gets ``SHOP_URL``'s host and
    ``SHOP_NAME``, so no email names example.com; every migrate applies a
    changed ``SHOP_URL``."""
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:
        return
    if not router.allow_migrate_model(using, site_model):
        return
    site_model.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SHOP_URL).netloc, "name": settings.SHOP_NAME},
    )
    global_apps.get_model("sites", "Site").objects.clear_cache()
