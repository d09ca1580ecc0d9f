"""Staff's view of the outbox (what is owed, what failed and why) and a
preview of every kind of message with its sample context."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import tasks
from notifications.kinds import KINDS
from notifications.models import Notification, Preference, Suppression
from notifications.rendering import render


def email_html_response(html: str) -> HttpResponse:
    """An email's HTML for a preview frame: its own inline styles may apply,
    no script runs, and only the admin's own pages may frame it."""
    response = HttpResponse(html)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


class SentFilter(admin.SimpleListFilter):
    title = gettext_lazy("email")
    parameter_name = "email"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("sent", gettext_lazy("sent")),
            ("owed", gettext_lazy("owed")),
            ("failing", gettext_lazy("owed, failing")),
            ("none", gettext_lazy("in-site only")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        value = self.value()
        if value == "sent":
            return queryset.filter(sent_at__isnull=False)
        if value in ("owed", "failing"):
            owed = queryset.filter(sent_at__isnull=True).exclude(email="")
            return owed.exclude(last_error="") if value == "failing" else owed
        if value == "none":
            return queryset.filter(email="")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = (
        "created_at",
        "kind",
        "email",
        "user",
        "subject",
        "title",
        "sent_at",
        "attempts",
        "last_error",
    )
    list_filter = (SentFilter, "kind", "created_at")
    search_fields = ("email", "subject", "key")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    fields = readonly_fields = (
        "kind",
        "key",
        "email",
        "user",
        "subject",
        "title",
        "link",
        "created_at",
        "sent_at",
        "read_at",
        "attempts",
        "last_error",
    )
    actions = ("send_now",)
    change_list_template = "admin/notifications/notification/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("kinds/", view(self.kinds_view), name="notifications_kinds"),
            path("kinds/<str:kind>/", view(self.preview_view), name="notifications_preview"),
            path("kinds/<str:kind>/html/", view(self.preview_html_view), name="notifications_preview_html"),
            *super().get_urls(),
        ]

    @admin.action(description=gettext_lazy("Send the owed emails now"), permissions=["change"])
    def send_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        owed = list(queryset.filter(sent_at__isnull=True).exclude(email="").values_list("pk", flat=True))
        for notification_id in owed:
            tasks.notification_send.delay(notification_id)
        self.message_user(request, _("%(count)d email(s) queued.") % {"count": len(owed)}, messages.SUCCESS)

    # --- Preview ----------------------------------------------------------------------

    def kinds_view(self, request: HttpRequest) -> HttpResponse:
        """Every kind of message, by group, each with a link to its preview."""
        if not self.has_view_permission(request):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "title": _("Kinds of message"),
            "opts": self.opts,
            "kinds": sorted(KINDS.values(), key=lambda kind: (kind.group, kind.name)),
        }
        return TemplateResponse(request, "admin/notifications/kinds.html", context)

    def preview_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        """One kind rendered with its sample: subject, in-site title, text and
        the HTML (in a sandboxed frame)."""
        if not self.has_view_permission(request) or kind not in KINDS:
            raise Http404
        spec = KINDS[kind]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(label)s") % {"label": spec.label},
            "opts": self.opts,
            "kind": spec,
            "rendered": render(spec, spec.sample, spec.sample_params),
            "sample": True,
            "kinds_url": reverse("admin:notifications_kinds"),
            "html_url": reverse("admin:notifications_preview_html", args=[kind]),
        }
        return TemplateResponse(request, "admin/notifications/preview.html", context)

    def preview_html_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if not self.has_view_permission(request) or kind not in KINDS:
            raise Http404
        spec = KINDS[kind]
        return email_html_response(render(spec, spec.sample, spec.sample_params).html)


# --- Preferences and suppressed addresses ------------------------------------------------


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin[Preference]):
    """What people chose (rows only where they chose; the defaults hold
    elsewhere). Read-only: consent is the person's to give, through the
    double opt-in, the preferences page or an unsubscribe link."""

    list_display = ("email", "user", "group", "channel", "enabled", "confirmed_at", "changed_at", "source")
    list_filter = ("group", "channel", "enabled", "source")
    search_fields = ("email", "user__email")
    list_select_related = ("user",)
    fields = readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Preference | None = None) -> bool:
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    """Addresses no marketing or wishlist email goes to (a hard bounce or a
    complaint heard from the provider). Staff may delete one to lift it."""

    list_display = ("email", "reason", "provider", "detail", "created_at")
    list_filter = ("reason", "provider", "created_at")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    fields = ("email", "reason", "provider", "detail", "created_at")
    readonly_fields = ("provider", "detail", "created_at")
