"""The staff's action pages, shared by the order and the return admin: a page
per action at ``<pk>/do/<action>/`` with its form, one service call on a valid
POST, and a refusal (``OrderStateError``) shown as an admin message, never a
500."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy

from accounts.models import User
from orders.lifecycle.transitions import OrderStateError
from orders.models import Order


def staff_user(request: HttpRequest) -> User | None:
    """The staff member acting, whom the services record as ``by``."""
    return request.user if isinstance(request.user, User) else None


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class OptionalNoteForm(NoteForm):
    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.fields["note"].required = False


def action_page(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    *,
    order: Order,
    title: Any,
    form: forms.Form,
    run: Callable[[], str],
    done_url: str,
    subject: str = "",
) -> HttpResponse:
    """The page of one staff action: its form, then one service call on a
    valid POST; a refusal (``OrderStateError``) is an error message on the
    same page, a success goes back to ``done_url`` with its message."""
    if request.method == "POST" and form.is_valid():
        try:
            done = run()
        except OrderStateError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(done_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "order": order,
        "subject": subject or order.number,
        "done_url": done_url,
        "form": form,
        "title": title,
    }
    return TemplateResponse(request, "admin/orders/order/action_form.html", context)


class ActionPagesMixin:
    """An admin with a page per action at ``<pk>/do/<action>/``, named
    ``<app>_<model>_action``; ``action_view`` refuses staff who may not
    change the object (a 404, as for an unknown action)."""

    def get_urls(self) -> list[URLPattern]:
        admin_view = self.admin_site.admin_view  # type: ignore[attr-defined]
        opts = self.opts  # type: ignore[attr-defined]
        extra = [
            path(
                "<int:pk>/do/<str:action>/",
                admin_view(self.action_view),  # type: ignore[attr-defined]
                name=f"{opts.app_label}_{opts.model_name}_action",
            )
        ]
        return extra + super().get_urls()  # type: ignore[misc]
