"""Scheduled report emails in the admin: staff who may see the reports
(``analytics.view_reports``) manage their own; a superuser sees everyone's
and may schedule a report for any staff member."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from analytics.models import ReportSchedule
from analytics.services import REPORT_PERMISSION


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin[ReportSchedule]):
    list_display = ("user", "frequency", "compare", "is_active", "last_sent_for")
    list_filter = ("frequency", "is_active")
    readonly_fields = ("last_sent_for", "created_at")

    # The reports' permission is what counts, not the model's own ones:
    # whoever may see the reports may have them emailed.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REPORT_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj: ReportSchedule | None = None) -> bool:
        return self._owns(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REPORT_PERMISSION)

    def has_change_permission(self, request: HttpRequest, obj: ReportSchedule | None = None) -> bool:
        return self._owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ReportSchedule | None = None) -> bool:
        return self._owns(request, obj)

    def _owns(self, request: HttpRequest, obj: ReportSchedule | None) -> bool:
        if not request.user.has_perm(REPORT_PERMISSION):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == _user_id(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportSchedule]:
        queryset = super().get_queryset(request).select_related("user")
        return queryset if request.user.is_superuser else queryset.filter(user_id=_user_id(request))

    def get_fields(self, request: HttpRequest, obj: ReportSchedule | None = None) -> list[Any]:
        fields = ["frequency", "compare", "is_active", "last_sent_for"]
        # Others' schedules are a superuser's to make; staff make their own.
        return ["user", *fields] if request.user.is_superuser else fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "user":  # reports go to staff only
            kwargs["queryset"] = get_user_model()._default_manager.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ReportSchedule, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.user_id = _user_id(request)
        super().save_model(request, obj, form, change)


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # behind the admin's login
