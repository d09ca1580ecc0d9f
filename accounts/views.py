from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import AddressForm, ProfileForm
from accounts.models import Address


def _address_or_404(request: HttpRequest, pk: int) -> Address:
    try:
        return selectors.address_get_for_user(user=selectors.request_user(request), pk=pk)
    except Address.DoesNotExist:
        raise Http404(_("No such address in your address book.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = selectors.request_user(request)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def address_list_view(request: HttpRequest) -> HttpResponse:
    addresses = selectors.address_list_for_user(user=selectors.request_user(request))
    return render(request, "accounts/address_list.html", {"addresses": addresses})


@login_required
@require_http_methods(["GET", "POST"])
def address_create_view(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.address_create(
            user=selectors.request_user(request),
            data=form.cleaned_data,
            default_shipping=form.cleaned_data["is_default_shipping"],
            default_billing=form.cleaned_data["is_default_billing"],
        )
        messages.success(request, _("The address was added to your address book."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    address = _address_or_404(request, pk)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.address_update(
            address=address,
            data=form.cleaned_data,
            default_shipping=form.cleaned_data["is_default_shipping"],
            default_billing=form.cleaned_data["is_default_billing"],
        )
        messages.success(request, _("The address was saved."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    address = _address_or_404(request, pk)
    if request.method == "POST":
        services.address_delete(address=address)
        messages.success(request, _("The address was deleted."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_default_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ("shipping", "billing"):
        raise Http404(_("Unknown kind of default address."))
    address = _address_or_404(request, pk)
    services.address_set_default(address=address, kind="shipping" if kind == "shipping" else "billing")
    messages.success(request, _("Your default %(kind)s address was changed.") % {"kind": _(kind)})
    return redirect("accounts:addresses")
