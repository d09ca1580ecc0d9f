from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from wishlists.selectors import favourites_hearts
from wishlists.session import guest_wishlist_id


def hearts(request: HttpRequest) -> dict[str, Any]:
    """``hearts``: which products and variants the page's hearts show as in
    the person's favourites; asked (one query) only by a page that shows a
    heart, and never for a visitor without favourites."""
    user = getattr(request, "user", None)
    return {
        "hearts": SimpleLazyObject(
            lambda: favourites_hearts(wishlist_id=guest_wishlist_id(request), user=user)
        )
    }
