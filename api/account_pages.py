"""The account page of personal access tokens, ``/accounts/tokens/``: the
person's tokens, a form to make one, and a button to revoke each.

A new token's key is shown once, on the page that answers the form, and is
kept nowhere but in that answer (not in the session, not in a message, not
in a cache: ``no-store``); the shop holds only its hash. Reloading that page
asks the browser to send the form again, which would make another token, so
the page says to copy the key and go back to the list."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from api.models import AccessToken
from api.scopes import SCOPES, STAFF_SCOPES
from api.tokens import TokenError, access_token_create, access_token_revoke

DEFAULT_DAYS = 90


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("What it is for, e.g. “Stock sync script”."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it may do"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Give it only what it needs."),
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"), min_value=1, initial=DEFAULT_DAYS
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = cast(forms.MultipleChoiceField, self.fields["scopes"])
        # Staff scopes are offered to staff only (the service refuses them to anyone else too).
        scopes.choices = [
            (scope, f"{description} ({scope})")
            for scope, description in SCOPES.items()
            if user.is_staff or scope not in STAFF_SCOPES
        ]
        days = cast(forms.IntegerField, self.fields["expires_in_days"])
        longest = settings.API_TOKEN_MAX_DAYS
        days.max_value = longest
        days.validators.append(MaxValueValidator(longest))
        days.widget.attrs.update({"min": 1, "max": longest, "inputmode": "numeric"})
        days.help_text = _("From 1 to %(days)d days.") % {"days": longest}


def tokens_of(user: User) -> QuerySet[AccessToken]:
    """The person's tokens, newest first, live and revoked."""
    return AccessToken.objects.filter(user=user).order_by("-created_at", "-pk")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None, user=user, initial={"expires_in_days": DEFAULT_DAYS})
    if request.method == "POST" and form.is_valid():
        try:
            made = access_token_create(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except TokenError as error:
            form.add_error(None, str(error))
        else:
            response = render(request, "api/tokens_created.html", {"token": made.token, "key": made.key})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/tokens.html", {"form": form, "tokens": list(tokens_of(user))})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = access_token_revoke(user=_user(request), token_id=pk)
    except AccessToken.DoesNotExist:
        raise Http404(_("No such token of yours.")) from None
    messages.success(
        request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name}
    )
    response = HttpResponseRedirect(reverse("api_tokens:list"))
    response.status_code = 303
    return response
