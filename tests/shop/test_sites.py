"""SHOP_URL: the shop's address in emails and in the Sites framework."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_gives_the_site_the_shop_address_and_name(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    settings.SHOP_URL = "https://shop.example.org"
    settings.SHOP_NAME = "Lamp & Co"

    call_command("migrate", verbosity=0)

    site = Site.objects.get_current()
    assert (site.pk, site.domain, site.name) == (settings.SITE_ID, "shop.example.org", "Lamp & Co")


def test_migrate_makes_the_site_when_it_is_missing_and_keeps_a_port(settings):
    Site.objects.all().delete()
    settings.SHOP_URL = "http://127.0.0.1:8000/"

    call_command("migrate", verbosity=0)

    assert list(Site.objects.values_list("pk", "domain", "name")) == [
        (settings.SITE_ID, "127.0.0.1:8000", "Shop")
    ]


def test_the_default_is_the_demos_address():
    base = {key: value for key, value in os.environ.items() if key != "SHOP_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; print(s.SHOP_URL)"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "shop.settings"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "http://127.0.0.1:8000"


def test_an_address_without_scheme_stops_the_start():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; s.SHOP_URL"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings", "SHOP_URL": "shop.example.org"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "SHOP_URL must be an http(s) address such as https://shop.example.com, not 'shop.example.org'" in (
        result.stderr
    )
