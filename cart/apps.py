from typing import Any

from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"
    verbose_name = "Cart and tax"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Signing in is accounts' business; what it means for a guest's cart
        # is ours, so the reaction lives here and calls one function.
        user_logged_in.connect(_merge_guest_cart, dispatch_uid="cart_merge_at_login")


def _merge_guest_cart(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from cart.session import cart_merge_at_login

    if request is not None and hasattr(request, "session"):
        cart_merge_at_login(request, user)
