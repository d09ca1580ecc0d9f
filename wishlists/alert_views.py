"""Back-in-stock alerts' pages: the product page's form (a plain POST that
goes back to the product page with a message) and a guest's confirmation
link. Refusals are messages or a 4xx page, never a 500."""

from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications.tokens import BadToken, TokenExpired
from wishlists.alert_forms import StockAlertForm
from wishlists.alerts import (
    StockAlertRefused,
    Subscribed,
    stock_alert_confirm,
    stock_alert_for_token,
    stock_alert_subscribe,
)


@require_POST
def stock_alert_subscribe_view(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    if user is None and not _guest_subscription_allowed(request):
        return render(request, "429.html", status=429)
    form = StockAlertForm(request.POST, email_required=user is None)
    if not form.is_valid():
        # The form again, its errors beside the fields, with the way back.
        context = {"form": form, "variant": form.variant_found, "next": _back(request, form)}
        return render(request, "wishlists/alerts/subscribe.html", context, status=400)
    variant = form.cleaned_data["variant"]
    back = _back(request, form)
    try:
        email = form.cleaned_data.get("email", "")
        subscription = stock_alert_subscribe(variant=variant, user=user, email=email)
    except StockAlertRefused as refused:
        messages.warning(request, refused.message)
        return _see_other(back)
    if subscription.outcome == Subscribed.CONFIRMED:
        messages.success(
            request,
            _("We will email you when %(product)s is back in stock.") % {"product": variant.product.title},
        )
    else:
        # The same answer whether the address waited already: it tells nobody who waits.
        messages.info(
            request,
            _("Check your inbox: follow the link we sent to %(email)s to confirm the alert.")
            % {"email": subscription.alert.email},
        )
    return _see_other(back)


@require_http_methods(["GET", "POST"])
def stock_alert_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation email's link shows a button (a link scanner that
    opens it confirms nothing); its POST confirms."""
    confirming = request.method == "POST"
    try:
        alert = stock_alert_confirm(token=token) if confirming else stock_alert_for_token(token=token)
    except BadToken as error:
        expired = isinstance(error, TokenExpired)
        return render(request, "wishlists/alerts/link_invalid.html", {"expired": expired}, status=400)
    template = "wishlists/alerts/confirm_done.html" if confirming else "wishlists/alerts/confirm.html"
    return render(request, template, {"alert": alert, "product": alert.variant.product})


def _guest_subscription_allowed(request: HttpRequest) -> bool:
    """Guests' subscriptions per client (as allauth counts it) in an hour:
    each may email a confirmation to whatever address it is given, so a
    script must not make it mail a list of strangers."""
    key = f"wishlists:alert-subscribe:{get_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= settings.WISHLIST_STOCK_ALERT_GUEST_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return True


def _back(request: HttpRequest, form: StockAlertForm) -> str:
    """The product page the form was on: ``next`` when it is on this site,
    else the variant's page, else the home page."""
    candidate = form.data.get("next")
    if isinstance(candidate, str) and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    variant = form.variant_found
    if variant is not None:
        return f"{variant.product.get_absolute_url()}?variant={variant.pk}"
    return "/"


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # after a POST, the next request is a GET
    return response
