"""The account pages that span every app: "Download my data" and "Delete my
account" (``/accounts/data-export/``, ``/accounts/delete/``). They are the
orders' because ``orders.privacy`` is where every app's part is gathered."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import AccountDeleteForm
from accounts.selectors import request_user
from orders.privacy import account_delete, personal_data_export


@login_required
@require_http_methods(["GET", "POST"])
def data_export_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/data_export.html")
    data = personal_data_export(user=request_user(request))
    filename = f"my-data-{timezone.now():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        account_delete(user=user)
        logout(request)
        messages.success(request, _("Your account was deleted. We are sorry to see you go."))
        return redirect("catalog:home")
    return render(request, "accounts/account_delete.html", {"form": form})
