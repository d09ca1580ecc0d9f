"""Who is looking at an order: the signed-in customer, or a guest whose
browser placed it (the numbers kept in the session are a guest's key)."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from orders.models import Order
from orders.selectors import order_get_for_customer

# The numbers of the orders this browser placed: a guest's key to them.
SESSION_ORDERS = "orders_placed"
SESSION_ORDERS_KEPT = 20


def request_customer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


def order_remember_in_session(request: HttpRequest, order: Order) -> None:
    numbers = list(request.session.get(SESSION_ORDERS, []))
    if order.number not in numbers:
        request.session[SESSION_ORDERS] = [*numbers, order.number][-SESSION_ORDERS_KEPT:]


def order_or_404(request: HttpRequest, number: str) -> Order:
    """The order if this visitor may see it (their own, or placed from this
    browser); a 404 for anyone else's."""
    try:
        return order_get_for_customer(
            number=number, user=request_customer(request), placed_here=request.session.get(SESSION_ORDERS, [])
        )
    except Order.DoesNotExist:
        raise Http404(_("No such order.")) from None
