"""Staff's returns: the list with its bulk actions, and the return page with
its lines and an action page per step (approve, reject, receive with or
without restocking, refund); each is one service call that checks the
state."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from orders.admin.action_pages import ActionPagesMixin, OptionalNoteForm, action_page, staff_user
from orders.lifecycle.returns import return_approve, return_receive, return_refund, return_reject
from orders.lifecycle.transitions import OrderStateError
from orders.models import Return, ReturnLine


class ReturnLineInline(admin.TabularInline[ReturnLine, Return]):
    model = ReturnLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("order_line", "quantity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


RS = Return.Status
# The action pages of one return: the label, the status it leads from, and the service call.
RETURN_ACTIONS: dict[str, tuple[Any, str, Callable[[Return, User | None, str], object]]] = {
    "approve": (
        gettext_lazy("Approve"),
        RS.REQUESTED,
        lambda r, by, note: return_approve(return_id=r.pk, by=by, note=note),
    ),
    "reject": (
        gettext_lazy("Reject"),
        RS.REQUESTED,
        lambda r, by, note: return_reject(return_id=r.pk, by=by, note=note),
    ),
    "receive_restock": (
        gettext_lazy("Receive and put back in stock"),
        RS.APPROVED,
        lambda r, by, note: return_receive(return_id=r.pk, by=by, restock=True, note=note),
    ),
    "receive": (
        gettext_lazy("Receive without restocking"),
        RS.APPROVED,
        lambda r, by, note: return_receive(return_id=r.pk, by=by, restock=False, note=note),
    ),
    "refund": (
        gettext_lazy("Refund"),
        RS.RECEIVED,
        lambda r, by, note: return_refund(return_id=r.pk, by=by, note=note),
    ),
}


def _return_action(name: str) -> Callable[[Any, HttpRequest, QuerySet[Return]], None]:
    """The list's bulk action of one of ``RETURN_ACTIONS``."""
    label, _source, run = RETURN_ACTIONS[name]

    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Return]) -> None:
        for ret in queryset.order_by("pk"):
            try:
                run(ret, staff_user(request), "")
            except OrderStateError as exc:
                modeladmin.message_user(request, f"{ret.number}: {exc.message}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{ret.number}: {label}", messages.SUCCESS)

    return admin.action(description=label, permissions=["change"])(action)


@admin.register(Return)
class ReturnAdmin(ActionPagesMixin, admin.ModelAdmin[Return]):
    list_display = ("number", "order", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("number", "order__number", "order__email")
    list_select_related = ("order",)
    fields = ("number", "order", "status", "action_links", "reason", "staff_note", "created_at", "updated_at")
    readonly_fields = ("number", "order", "status", "action_links", "reason", "created_at", "updated_at")
    inlines = (ReturnLineInline,)
    actions = ("approve", "reject", "receive_restock", "receive", "refund")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Return | None = None) -> bool:
        return False

    approve = _return_action("approve")
    reject = _return_action("reject")
    receive_restock = _return_action("receive_restock")
    receive = _return_action("receive")
    refund = _return_action("refund")

    @admin.display(description=gettext_lazy("actions"))
    def action_links(self, ret: Return) -> SafeString:
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:orders_return_action", args=(ret.pk, name)), label)
                for name, (label, source, _run) in RETURN_ACTIONS.items()
                if ret.status == source
            ),
        )
        status = ret.get_status_display().lower()
        return links or format_html("{}", _("none: the return is %(status)s") % {"status": status})

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        ret = get_object_or_404(Return.objects.select_related("order"), pk=pk)
        if action not in RETURN_ACTIONS or not self.has_change_permission(request, ret):
            return HttpResponse(status=404)
        title, _source, run = RETURN_ACTIONS[action]
        form = OptionalNoteForm(request.POST or None, order=ret.order)

        def done() -> str:
            run(ret, staff_user(request), form.cleaned_data["note"])
            return _("Return %(number)s: %(action)s done.") % {"number": ret.number, "action": title}

        return action_page(
            self,
            request,
            order=ret.order,
            title=title,
            form=form,
            run=done,
            done_url=reverse("admin:orders_return_change", args=(ret.pk,)),
            subject=ret.number,
        )
