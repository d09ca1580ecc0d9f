from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffMFARequiredMiddleware:
    """Staff reach the admin only with two-factor authentication set up and
    used in the current session (``ADMIN_REQUIRE_MFA``, on by default).

    Anonymous and non-staff users pass untouched: the admin refuses them
    itself (its login is allauth's, see ``shop/urls.py``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.ADMIN_REQUIRE_MFA and self._is_staff_in_admin(request):
            if not is_mfa_enabled(request.user):
                messages.warning(
                    request,
                    _("Staff must set up two-factor authentication before using the admin."),
                )
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
            # The records are kept per user: without the user allauth
            # returns none at all, and no session would ever pass.
            records = get_authentication_records(request, request.user)
            if not any(record.get("method") == "mfa" for record in records):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _is_staff_in_admin(request: HttpRequest) -> bool:
        # The path first: other pages need not load the session's user.
        if not request.path.startswith(reverse("admin:index")):
            return False
        # Signing out of the admin only lowers privileges: never block it.
        if request.path == reverse("admin:logout"):
            return False
        user = request.user
        return user.is_authenticated and user.is_staff
