"""Preferences and consent pages: a person's choices, the double opt-in's
confirmation, a guest's subscription and the one-click unsubscribe (RFC 8058)."""

from typing import cast

from allauth.core.internal.ratelimit import get_ip
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import optin, preferences
from notifications.kinds import Group
from notifications.models import Channel
from notifications.preference_forms import (
    CHANNEL_LABELS,
    GROUP_HELP,
    GROUP_LABELS,
    PreferencesForm,
    SubscribeForm,
    field_name,
)
from notifications.tokens import BadToken, TokenExpired, confirm_token_read, unsubscribe_token_read


def _link_refused(request: HttpRequest, error: BadToken) -> HttpResponse:
    """A tampered, cut or expired link: a clear page and a 400, never a 500."""
    expired = isinstance(error, TokenExpired)
    return render(request, "notifications/link_invalid.html", {"expired": expired}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def preferences_view(request: HttpRequest) -> HttpResponse:
    user = cast(AbstractBaseUser, request.user)
    chosen = preferences.preferences_for(user=user)
    initial = {field_name(*choice): enabled for choice, enabled in chosen.items()}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if optin.preferences_save(user=user, choices=form.choices()):
            messages.info(request, _("Check your inbox: follow the link we sent to confirm news and offers."))
        messages.success(request, _("Your preferences are saved."))
        return redirect("notification_preferences:edit")
    email = preferences.user_email(user)
    groups = [
        {
            "label": GROUP_LABELS[group],
            "help": GROUP_HELP[group],
            "fields": [form[field_name(group, channel)] for channel in Channel],
        }
        for group in (Group.MARKETING, Group.WISHLIST, Group.REVIEWS)
    ]
    fixed = [{"label": GROUP_LABELS[group], "help": GROUP_HELP[group]} for group in preferences.TRANSACTIONAL]
    context = {
        "form": form,
        "groups": groups,
        "fixed": fixed,
        "channels": [CHANNEL_LABELS[channel] for channel in Channel],
        "email": email,
        "suppression": preferences.email_suppressed(email=email) if email else None,
    }
    return render(request, "notifications/preferences.html", context)


# Subscriptions asked for from one client (as allauth counts it) in an hour:
# the form emails whatever address it is given (once a day each), so a
# script must not make it mail a list of strangers.
SUBSCRIBE_PER_HOUR = 10


def _subscribe_allowed(request: HttpRequest) -> bool:
    key = f"notifications:subscribe:{get_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= SUBSCRIBE_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return True


@require_http_methods(["GET", "POST"])
def subscribe_view(request: HttpRequest) -> HttpResponse:
    """News and offers for anyone, signed in or not, by double opt-in."""
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and not _subscribe_allowed(request):
        return render(request, "429.html", status=429)
    if request.method == "POST" and form.is_valid():
        optin.marketing_optin_request(email=form.cleaned_data["email"])
        # The same answer whether the address had it already: it tells nobody who is subscribed.
        return render(request, "notifications/subscribe_sent.html")
    return render(request, "notifications/subscribe.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in's link shows a button (a link scanner that opens
    it confirms nothing); its POST switches marketing email on."""
    if request.method == "GET":
        try:
            confirm_token_read(token)
        except BadToken as error:
            return _link_refused(request, error)
        return render(request, "notifications/confirm.html", {"token": token})
    try:
        email = optin.marketing_optin_confirm(token=token)
    except BadToken as error:
        return _link_refused(request, error)
    return render(request, "notifications/confirm_done.html", {"email": email})


# RFC 8058: a mail client's one-click POST comes with no session and no CSRF
# token; the signed link is the authority. A GET (a person, or a scanner that
# follows links) only shows the button.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        unsubscribe = unsubscribe_token_read(token)
    except BadToken as error:
        return _link_refused(request, error)
    if unsubscribe.group not in preferences.CHOOSABLE:
        return _link_refused(request, BadToken(unsubscribe.group))
    context = {"email": unsubscribe.email, "group": GROUP_LABELS[Group(unsubscribe.group)], "token": token}
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", context)
    preferences.email_unsubscribe(email=unsubscribe.email, group=unsubscribe.group)
    return render(request, "notifications/unsubscribe_done.html", context)
