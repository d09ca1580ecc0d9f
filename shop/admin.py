"""Staff's view of the email outbox: what is owed, what failed and why."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop import tasks
from shop.models import OutboundEmail


class SentFilter(admin.SimpleListFilter):
    title = gettext_lazy("sent")
    parameter_name = "sent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("sent")), ("no", gettext_lazy("owed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> QuerySet[OutboundEmail]:
        if self.value() in ("yes", "no"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = ("created_at", "purpose", "recipient", "subject", "sent_at", "attempts", "last_error")
    list_filter = (SentFilter, "purpose", "created_at")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "purpose",
        "recipient",
        "to",
        "from_email",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    )
    actions = ("send_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Send the owed ones now"), permissions=["change"])
    def send_now(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        owed = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        for email_id in owed:
            tasks.outbound_email_send.delay(email_id)
        self.message_user(request, _("%(count)d message(s) queued.") % {"count": len(owed)}, messages.SUCCESS)
