"""The customer's side of an order after checkout: the history, the order
page (lines, totals, addresses, payment, timeline, shipments, the actions its
state allows), cancelling, "buy again", the invoice and guest tracking.

Every view finds the order through ``order_get_for_customer``: someone
else's order is a 404 whatever the action, and a guest sees only the orders
whose numbers their session holds (placed here, or found through ``/track/``).
"""

import dataclasses

from allauth.core.internal.ratelimit import get_ip
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.selectors import request_user
from cart.session import cart_count_remember, cart_for_request_or_new
from orders.forms import TrackForm
from orders.invoices import INVOICE_STATUSES, order_invoice_pdf
from orders.lifecycle.cancellation import order_can_cancel, order_cancel
from orders.lifecycle.transitions import OrderStateError
from orders.models import Order
from orders.order_page import order_page_build
from orders.reorder import order_buy_again
from orders.selectors import (
    order_find_for_tracking,
    orders_for_user,
)
from orders.sessions import order_or_404, order_remember_in_session, request_customer

HISTORY_PAGE_SIZE = 20
# Guest tracking: this many tries per address in this many seconds, then a 429.
TRACK_ATTEMPTS = 10
TRACK_WINDOW_SECONDS = 600


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# --- History ------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def order_history_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Order.Status.values:
        status = ""
    user = request_user(request)  # login_required
    page = Paginator(orders_for_user(user=user, status=status), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "orders/order_history.html",
        {"page": page, "orders": page.object_list, "status": status, "statuses": Order.Status.choices},
    )


# --- The order page -----------------------------------------------------------------------


@never_cache
@require_safe
def order_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    page = order_page_build(order=order_or_404(request, number))
    context = {field.name: getattr(page, field.name) for field in dataclasses.fields(page)}
    return render(request, "orders/order_detail.html", context)


# --- Actions --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    """GET asks "are you sure?", POST cancels (and refunds)."""
    order = order_or_404(request, number)
    if request.method == "GET":
        if not order_can_cancel(order):
            messages.info(request, _("This order can no longer be cancelled."))
            return _see_other(order.get_absolute_url())
        context = {"order": order, "lines": order.lines.all()}
        return render(request, "orders/order_cancel_confirm.html", context)
    try:
        cancelled = order_cancel(order_id=order.pk, by=request_customer(request))
    except OrderStateError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Your order was cancelled and your payment refunded.")
            if cancelled.paid_at
            else _("Your order was cancelled. Nothing was charged."),
        )
    return _see_other(order.get_absolute_url())


@require_POST
def order_buy_again_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    cart = cart_for_request_or_new(request)
    result = order_buy_again(order=order, cart=cart)
    cart_count_remember(request, cart)
    if result.added:
        messages.success(request, _("The items of order %(number)s are in your cart.") % {"number": number})
    for note in result.notes:
        messages.warning(request, note)
    return _see_other(reverse("cart:detail") if result.added else order.get_absolute_url())


@never_cache
@require_safe
def order_invoice_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    if order.status not in INVOICE_STATUSES:
        raise Http404(_("An invoice is made once the order is paid."))
    response = HttpResponse(order_invoice_pdf(order=order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{order.number}.pdf"'
    return response


# --- Guest tracking ----------------------------------------------------------------------


def _track_allowed(request: HttpRequest) -> bool:
    """Count this address's tries in the cache; False past the limit. The
    address is the one allauth's limits count: the client's, read from
    X-Forwarded-For behind ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies (an IPv6
    client by its /64), never the proxy's."""
    key = f"orders:track:{get_ip(request)}"
    cache.add(key, 0, timeout=TRACK_WINDOW_SECONDS)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=TRACK_WINDOW_SECONDS)
        tries = 1
    return tries <= TRACK_ATTEMPTS


@never_cache
@require_http_methods(["GET", "POST"])
def order_track_view(request: HttpRequest) -> HttpResponse:
    """A guest finds an order by its number and email. A wrong pair gets one
    answer whichever half is wrong, so it tells nothing about which orders
    exist; tries are limited per address."""
    form = TrackForm(request.POST or None)
    if request.method == "POST":
        if not _track_allowed(request):
            return render(request, "429.html", status=429)
        if form.is_valid():
            order = order_find_for_tracking(
                number=form.cleaned_data["number"], email=form.cleaned_data["email"]
            )
            if order is not None:
                order_remember_in_session(request, order)
                return _see_other(order.get_absolute_url())
            form.add_error(None, _("We could not find an order with this number and email address."))
    return render(request, "orders/track.html", {"form": form})
