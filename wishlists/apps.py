from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishlistsConfig(AppConfig):
    name = "wishlists"
    verbose_name = _("Wishlists")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # As the cart's: signing in is accounts' business; what it means for a
        # guest's favourites is ours, one reaction calling one function.
        user_logged_in.connect(_merge_guest_favourites, dispatch_uid="wishlists_merge_at_login")


def _merge_guest_favourites(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from wishlists.session import wishlist_merge_at_login

    if request is not None and hasattr(request, "session"):
        wishlist_merge_at_login(request, user)
