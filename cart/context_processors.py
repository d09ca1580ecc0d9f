from django.http import HttpRequest

from cart.session import SESSION_CART_COUNT


def cart(request: HttpRequest) -> dict[str, int]:
    """The header's item count, kept in the session by every change of the
    cart (``cart_count_remember``): no query on any page."""
    session = getattr(request, "session", None)
    return {"cart_count": session.get(SESSION_CART_COUNT, 0) if session is not None else 0}
