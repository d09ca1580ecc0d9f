"""The visitor's choice about analytics: a page that switches recording off
(or on again) for this browser with a cookie; Do Not Track and Global
Privacy Control are honoured without it (analytics/events.py)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from analytics.events import tracking_allowed

COOKIE_DAYS = 395


@require_http_methods(["GET", "HEAD", "POST"])
def analytics_choice_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        choice = request.POST.get("analytics")
        if choice not in ("on", "off"):
            messages.error(request, _("Choose whether we may count your visits."))
            return redirect("analytics:choice")
        response = redirect("analytics:choice")
        response.set_cookie(
            settings.ANALYTICS_CONSENT_COOKIE,
            choice,
            max_age=COOKIE_DAYS * 24 * 3600,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        if choice == "off":
            messages.success(request, _("We no longer count your visits in this browser."))
        else:
            messages.success(
                request, _("Thank you: we count your visits again, without knowing who you are.")
            )
        return response
    signal = request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"
    context = {
        "off": request.COOKIES.get(settings.ANALYTICS_CONSENT_COOKIE) == "off",
        "browser_says_no": signal,
        "counted": tracking_allowed(request),
        "retention_days": settings.ANALYTICS_RETENTION_DAYS,
    }
    return render(request, "analytics/choice.html", context)
