from celery import shared_task

from cart.services import cart_guests_purge


@shared_task(name="cart.cart_guests_purge")
def cart_guests_purge_task() -> int:
    """Beat runs this daily: guest carts older than CART_GUEST_MAX_AGE_DAYS go."""
    return cart_guests_purge()
