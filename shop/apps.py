from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from shop import checks  # noqa: F401  # registers the deploy checks
        from shop.sites import site_update_from_settings

        # When the Sites framework has migrated, after its own receiver made
        # its Site (connected earlier: django.contrib.sites is listed first).
        # Not sent for this app, which has no models.
        post_migrate.connect(site_update_from_settings, sender=apps.get_app_config("sites"))
