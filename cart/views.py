"""The cart's pages: parse, call one service, respond.

Every change is a POST form that works without JavaScript (a message and a
303 redirect); static/js/cart.js sends the same forms with ``Accept:
application/json`` and gets ``{ok, message, count, html?}`` back, with 400
when the change was refused. Refusals are messages, never a 500.
"""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from analytics.events import Name, track
from cart.forms import CartAddForm, CartLineUpdateForm, PromoCodeForm, form_error_message
from cart.models import Cart, CartLine
from cart.pages import CartPage, cart_page_build
from cart.services import (
    CartError,
    cart_empty,
    cart_line_add,
    cart_line_remove,
    cart_line_update,
    cart_promo_apply,
    cart_promo_remove,
)
from cart.session import (
    SESSION_CART_COUNT,
    SESSION_CART_ID,
    cart_count_remember,
    cart_for_request,
    cart_restore,
)
from promotions.values import Customer, PromoContext, PromoRefused

BODY_TEMPLATE = "cart/_cart_body.html"


@never_cache
@require_safe
def cart_detail_view(request: HttpRequest) -> HttpResponse:
    cart = cart_for_request(request)
    page = cart_page_build(cart=cart, context=_promo_context(request))
    for note in _dropped_notes(page):
        messages.warning(request, note)
    cart_count_remember(request, cart, page.count)
    return render(request, "cart/cart_detail.html", {"page": page})


@never_cache
@require_safe
def cart_restore_view(request: HttpRequest, token: str) -> HttpResponse:
    """A reminder's link back to the cart (the cart is a guest's in another
    browser, or a user's who must sign in first)."""
    outcome = cart_restore(request, token)
    cart_url = reverse("cart:detail")
    if outcome == "sign_in":
        messages.info(request, _("Please sign in to see your cart."))
        return HttpResponseRedirect(f"{reverse('account_login')}?next={cart_url}")
    if outcome == "expired":
        messages.warning(request, _("This link to a cart has expired or is not valid any more."))
    return HttpResponseRedirect(cart_url)


@require_POST
def cart_add_view(request: HttpRequest) -> HttpResponse:
    form = CartAddForm(request.POST)
    back = _next_url(request, form.data.get("next"))
    if not form.is_valid():
        return _refused(request, form_error_message(form), back)
    quantity = form.cleaned_data["quantity"]
    cart = cart_for_request(request)
    created = cart is None
    if cart is None:
        cart = cast(Cart, cart_for_request(request, create=True))
    try:
        line = cart_line_add(cart=cart, variant_id=form.cleaned_data["variant"], quantity=quantity)
    except CartError as error:
        if created:  # a refused first add leaves no cart behind
            request.session.pop(SESSION_CART_ID, None)
            cart.delete()
        return _refused(request, error.message, back)
    product_id = line.variant.product_id if line.variant else None
    track(
        request,
        Name.CART_ADD,
        product_id=product_id,
        quantity=quantity,
        value=line.price_when_added * quantity,
    )
    # A new cart holds just this line: no need to count.
    count = cart_count_remember(request, cart, line.quantity if created else None)
    message = ngettext(
        "Added %(title)s to your cart.", "Added %(count)d of %(title)s to your cart.", quantity
    ) % {"count": quantity, "title": line.title}
    cart_url = reverse("cart:detail")
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message, "count": count, "cart_url": cart_url})
    messages.success(request, format_html('{} <a href="{}">{}</a>', message, cart_url, _("View your cart")))
    return _see_other(back)


@require_POST
def cart_line_update_view(request: HttpRequest, line_id: int) -> HttpResponse:
    form = CartLineUpdateForm(request.POST)
    cart = _cart_or_404(request)
    if not form.is_valid():
        return _refused(request, form_error_message(form))
    quantity = form.cleaned_data["quantity"]
    try:
        line = cart_line_update(cart=cart, line_id=line_id, quantity=quantity)
    except CartLine.DoesNotExist:
        raise Http404(_("No such line in your cart.")) from None
    except CartError as error:
        return _refused(request, error.message)
    message = _("%(title)s: the quantity is now %(quantity)d.") % {"title": line.title, "quantity": quantity}
    return _changed(request, cart, message)


@require_POST
def cart_line_remove_view(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = _cart_or_404(request)
    try:
        title = cart_line_remove(cart=cart, line_id=line_id)
    except CartLine.DoesNotExist:
        raise Http404(_("No such line in your cart.")) from None
    track(request, Name.CART_REMOVE)
    return _changed(request, cart, _("%(title)s was removed from your cart.") % {"title": title})


@require_POST
def cart_empty_view(request: HttpRequest) -> HttpResponse:
    cart = cart_for_request(request)
    if cart is not None:
        cart_empty(cart=cart)
    return _changed(request, cart, _("Your cart is empty now."))


@require_POST
def cart_promo_apply_view(request: HttpRequest) -> HttpResponse:
    form = PromoCodeForm(request.POST)
    cart = cart_for_request(request)
    if not form.is_valid():
        return _refused(request, form_error_message(form))
    if cart is None:
        return _refused(request, _("Add something to your cart before applying a code."))
    try:
        code = cart_promo_apply(cart=cart, code=form.cleaned_data["code"], context=_promo_context(request))
    except (CartError, PromoRefused) as error:
        return _refused(request, error.message)
    return _changed(request, cart, _("The code %(code)s was applied.") % {"code": code})


@require_POST
def cart_promo_remove_view(request: HttpRequest) -> HttpResponse:
    form = PromoCodeForm(request.POST)
    cart = cart_for_request(request)
    if not form.is_valid():
        return _refused(request, form_error_message(form))
    code = form.cleaned_data["code"]
    try:
        if cart is None:
            raise CartError(_("%(code)s is not applied to your cart.") % {"code": code})
        cart_promo_remove(cart=cart, code=code)
    except CartError as error:
        return _refused(request, error.message)
    return _changed(request, cart, _("The code %(code)s was removed.") % {"code": code.upper()})


def _promo_context(request: HttpRequest) -> PromoContext:
    if not request.user.is_authenticated:
        return PromoContext()
    user = request.user
    return PromoContext(customer=Customer(user_id=user.pk, email=user.email))


def _cart_or_404(request: HttpRequest) -> Cart:
    """Line ids belong to a cart: without one, every line id is someone else's."""
    cart = cart_for_request(request)
    if cart is None:
        raise Http404(_("No such line in your cart."))
    return cart


def _dropped_notes(page: CartPage) -> list[str]:
    return [
        _("%(title)s is no longer available and was removed from your cart.") % {"title": title}
        for title in page.dropped
    ]


def _wants_json(request: HttpRequest) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _next_url(request: HttpRequest, candidate: object) -> str:
    """Where a plain form goes back to: ``next`` when it is on this site."""
    if isinstance(candidate, str) and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("cart:detail")


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # after a POST, the next request is a GET
    return response


def _refused(request: HttpRequest, message: str, back: str | None = None) -> HttpResponse:
    """A change that was not made: nothing changed, the shopper reads why."""
    if _wants_json(request):
        count = request.session.get(SESSION_CART_COUNT, 0)
        return JsonResponse({"ok": False, "message": message, "count": count}, status=400)
    messages.error(request, message)
    return _see_other(back or reverse("cart:detail"))


def _changed(request: HttpRequest, cart: Cart | None, message: str) -> HttpResponse:
    """A change on the cart page was made: the page (or its body, for the
    JavaScript) shows the cart as it is now, with the header's count."""
    if not _wants_json(request):
        cart_count_remember(request, cart)
        messages.success(request, message)
        return _see_other(reverse("cart:detail"))
    page = cart_page_build(cart=cart, context=_promo_context(request))
    count = cart_count_remember(request, cart, page.count)
    html = render_to_string(BODY_TEMPLATE, {"page": page}, request=request)
    message = " ".join([message, *_dropped_notes(page)])
    return JsonResponse({"ok": True, "message": message, "count": count, "html": html})
