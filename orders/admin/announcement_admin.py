"""Staff write an announcement, choose its audience, preview it, send it and
watch its progress (the change page reloads itself while it is sending).
Registered here, not in notifications, because its audience is decided by
orders (``orders/announcements.py``)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Category
from notifications.admin import email_html_response
from notifications.kinds import KINDS
from notifications.models import Announcement
from notifications.rendering import render
from orders.announcements import (
    AnnouncementError,
    announcement_audience,
    announcement_message,
    announcement_start,
)


class AnnouncementForm(forms.ModelForm[Announcement]):
    category = forms.ModelChoiceField(
        label=gettext_lazy("category"),
        queryset=Category.objects.order_by("path"),
        required=False,
        help_text=gettext_lazy("For “Customers who bought from a category”: it and its subcategories."),
    )

    class Meta:
        model = Announcement
        fields = ("title", "message", "link", "audience")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.category_id:
            self.fields["category"].initial = self.instance.category_id

    def clean_link(self) -> str:
        link: str = self.cleaned_data["link"].strip()
        if link and (not link.startswith("/") or link.startswith("//")):
            raise forms.ValidationError(_("Give a page of the shop, starting with “/”."))
        return link

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") == Announcement.Audience.CATEGORY_BUYERS and not data.get("category"):
            self.add_error("category", _("Choose the category whose buyers get it."))
        return data

    def save(self, commit: bool = True) -> Announcement:
        category = self.cleaned_data.get("category")
        buyers = self.cleaned_data.get("audience") == Announcement.Audience.CATEGORY_BUYERS
        self.instance.category_id = category.pk if category and buyers else None
        self.instance.category_name = category.name if category and buyers else ""
        return super().save(commit=commit)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin[Announcement]):
    form = AnnouncementForm
    list_display = ("title", "audience_shown", "status", "progress", "created_at", "finished_at")
    list_filter = ("status", "audience")
    readonly_fields = ("status", "progress", "started_at", "finished_at", "created_by")
    change_form_template = "admin/notifications/announcement/change_form.html"

    def get_fields(self, request: HttpRequest, obj: Announcement | None = None) -> list[Any]:
        fields: list[Any] = ["title", "message", "link", "audience", "category"]
        return (
            fields
            if obj is None
            else [*fields, "status", "progress", "started_at", "finished_at", "created_by"]
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Announcement | None = None) -> list[str]:
        """Once sending, nothing of it changes any more."""
        if obj is not None and obj.status != Announcement.Status.DRAFT:
            return ["title", "message", "link", "audience_shown", *self.readonly_fields]
        return list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Announcement, form: Any, change: bool) -> None:
        if not change and request.user.is_authenticated:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("audience"))
    def audience_shown(self, announcement: Announcement) -> str:
        if announcement.audience == Announcement.Audience.CATEGORY_BUYERS:
            return _("Bought from %(category)s") % {"category": announcement.category_name}
        return str(announcement.get_audience_display())

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, announcement: Announcement) -> SafeString:
        if announcement.status == Announcement.Status.DRAFT:
            return format_html("{}", "—")
        return format_html(
            '<progress value="{}" max="{}" aria-label="{}"></progress> {} / {}',
            announcement.done,
            max(announcement.total, 1),
            _("people processed"),
            announcement.done,
            announcement.total,
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="notifications_announcement_preview"),
            path(
                "<int:pk>/send/", view(require_POST(self.send_view)), name="notifications_announcement_send"
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        announcement = self.get_object(request, object_id)
        extra: dict[str, Any] = {}
        if announcement is not None:
            extra = {
                "announcement": announcement,
                "audience_size": announcement_audience(announcement).count()
                if announcement.status == Announcement.Status.DRAFT
                else announcement.total,
                "sending": announcement.status == Announcement.Status.SENDING,
                "can_send": announcement.status == Announcement.Status.DRAFT
                and self.has_change_permission(request, announcement),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        announcement = self.get_object(request, str(pk))
        if announcement is None or not self.has_view_permission(request, announcement):
            raise Http404
        kind = KINDS["marketing.announcement"]
        rendered = render(kind, *announcement_message(announcement))
        if request.GET.get("part") == "html":
            return email_html_response(rendered.html)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(title)s") % {"title": announcement.title},
            "opts": self.opts,
            "kind": kind,
            "rendered": rendered,
            "html_url": f"{reverse('admin:notifications_announcement_preview', args=[pk])}?part=html",
        }
        return TemplateResponse(request, "admin/notifications/preview.html", context)

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        announcement = self.get_object(request, str(pk))
        if announcement is None or not self.has_change_permission(request, announcement):
            raise Http404
        try:
            started = announcement_start(announcement_id=announcement.pk)
        except AnnouncementError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Sending to %(count)d people, in batches.") % {"count": started.total}
            )
        return HttpResponseRedirect(reverse("admin:notifications_announcement_change", args=[pk]))
