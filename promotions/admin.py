"""Staff pages of promotions: promo codes with their usage, redemptions
(read-only: they are written by order placement), automatic promotions, and
the action that generates single-use codes from a code."""

import io
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from promotions import selectors, services
from promotions.exports import promo_codes_csv_write
from promotions.forms import CodeGenerateForm, PromoCodeAdminForm
from promotions.models import PromoCode, Promotion, PromotionRule, Redemption
from promotions.offers import rule_summary
from promotions.values import OfferKind

# Shared by both admins (the code admin adds its limits).
RULE_FIELDS: Any = (
    (None, {"fields": ("name", "kind", "value", "min_subtotal", ("buy_quantity", "pay_quantity"))}),
    (_("When"), {"fields": ("is_active", ("starts_at", "ends_at"))}),
    (
        _("Applies to"),
        {
            "fields": ("categories", "brands", "products"),
            "description": _(
                "Nothing chosen: the whole cart. Otherwise items in any of these categories "
                "(with their subcategories), brands or products."
            ),
        },
    ),
)


def _short(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _validity(rule: PromotionRule) -> str:
    if rule.starts_at and rule.ends_at:
        return f"{_short(rule.starts_at)} \u2013 {_short(rule.ends_at)}"
    if rule.starts_at:
        return str(_("from %(when)s") % {"when": _short(rule.starts_at)})
    if rule.ends_at:
        return str(_("until %(when)s") % {"when": _short(rule.ends_at)})
    return str(_("always"))


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("running", _("Running now")), ("scheduled", _("Starts later")), ("ended", _("Ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "running":
            return queryset.filter(
                Q(starts_at__isnull=True) | Q(starts_at__lte=now),
                Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            )
        if self.value() == "scheduled":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


class RuleAdmin[M: PromotionRule](admin.ModelAdmin[M]):
    autocomplete_fields = ("categories", "brands", "products")

    @admin.display(description=_("offer"))
    def offer(self, obj: PromotionRule) -> str:
        return rule_summary(obj)

    @admin.display(description=_("validity"))
    def validity(self, obj: PromotionRule) -> str:
        return _validity(obj)


# --- Promo codes -------------------------------------------------------------------


@admin.register(PromoCode)
class PromoCodeAdmin(RuleAdmin[PromoCode]):
    form = PromoCodeAdminForm
    list_display = ("code", "kind", "offer", "usage", "redemption_count", "validity", "is_active", "batch")
    list_filter = ("kind", "is_active", ValidityFilter, "first_order_only", "stackable")
    search_fields = ("code", "name", "batch")
    readonly_fields = ("times_used", "batch")
    actions = ("generate_codes",)
    fieldsets = (
        (
            None,
            {"fields": ("code", "name", "kind", "value", "min_subtotal", ("buy_quantity", "pay_quantity"))},
        ),
        (
            _("Limits"),
            {"fields": ("usage_limit", "per_customer_limit", "first_order_only", "stackable", "times_used")},
        ),
        *RULE_FIELDS[1:],
        (_("Generated"), {"fields": ("batch",), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[PromoCode]:
        return selectors.promo_codes_with_counts()

    @admin.display(description=_("used / limit"))
    def usage(self, obj: PromoCode) -> str:
        limit = "\u221e" if obj.usage_limit is None else str(obj.usage_limit)
        return f"{obj.times_used} / {limit}"

    @admin.display(description=_("redemptions"), ordering="redemption_count")
    def redemption_count(self, obj: PromoCode) -> str:
        count = getattr(obj, "redemption_count", 0)
        url = reverse("admin:promotions_redemption_changelist") + f"?code__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    def save_model(self, request: HttpRequest, obj: PromoCode, form: Any, change: bool) -> None:
        services.promo_code_save(code=obj)

    @admin.action(description=_("Generate single-use codes from this one"), permissions=["add"])
    def generate_codes(self, request: HttpRequest, queryset: QuerySet[PromoCode]) -> HttpResponse | None:
        """A form (how many, prefix, length), then the codes as a CSV download."""
        if len(selected := list(queryset[:2])) != 1:
            self.message_user(request, _("Choose exactly one code to copy."), messages.ERROR)
            return None
        template = selected[0]
        form = CodeGenerateForm(request.POST if "generate" in request.POST else None)
        if form.is_valid():
            try:
                codes = services.promo_codes_generate(
                    template=template,
                    count=form.cleaned_data["count"],
                    prefix=form.cleaned_data["code_prefix"],
                    length=form.cleaned_data["length"],
                )
            except services.PromotionError as error:
                form.add_error(None, str(error))
            else:
                out = io.StringIO()
                promo_codes_csv_write(codes=codes, out=out)
                response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="promo-codes-{template.pk}.csv"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Generate single-use codes from %(code)s") % {"code": template.code},
            "opts": self.model._meta,
            "form": form,
            "template_code": template,
            "action": "generate_codes",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "promotions/admin/generate_codes.html", context)


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin[Redemption]):
    """Written by order placement only; staff look."""

    list_display = ("code", "order_reference", "user", "email", "amount", "created_at")
    list_filter = ("created_at",)
    list_select_related = ("code", "user")
    search_fields = ("code__code", "order_reference", "email")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Redemption | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Redemption | None = None) -> bool:
        return False


# --- Automatic promotions --------------------------------------------------------------


@admin.register(Promotion)
class PromotionAdmin(RuleAdmin[Promotion]):
    list_display = ("name", "kind", "offer", "validity", "is_active")
    list_filter = ("kind", "is_active", ValidityFilter)
    search_fields = ("name",)
    fieldsets = RULE_FIELDS

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "kind":  # free shipping needs a code
            kwargs["choices"] = [
                choice for choice in OfferKind.choices if choice[0] != OfferKind.FREE_SHIPPING
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        services.promotion_save(promotion=obj)

    def delete_model(self, request: HttpRequest, obj: Promotion) -> None:
        services.promotions_delete(promotions=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        services.promotions_delete(promotions=list(queryset))
