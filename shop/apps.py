from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from shop import checks  # noqa: F401  # registers the deploy checks
        from shop.sites import site_update_from_settings

        # After django.contrib.sites (earlier in INSTALLED_APPS) made its Site.
        post_migrate.connect(site_update_from_settings, sender=self)
