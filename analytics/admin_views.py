"""The staff analytics dashboard at ``/admin/analytics/``: every figure of
``analytics.reports`` for a period, compared with the period before or the
same period a year before, each linked to the admin list behind it.

It reads the rollups only (through ``analytics.reports``), so it costs the
same handful of queries whatever the range and however many orders there are.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics import reports
from analytics.reports import Compare, Dimension, Period, PeriodError, ProductFigures, StockCover
from analytics.rollups import day_bounds

PERMISSION = "analytics.view_reports"
CHART_JS = "vendor/chart.js/chart.umd.min.js"
COMPARE_OPTIONS: dict[str, Promise] = {
    "previous": gettext_lazy("Previous period"),
    "year": gettext_lazy("Same period a year before"),
    "none": gettext_lazy("No comparison"),
}
COMPARES: dict[str, Promise] = {
    "previous": gettext_lazy("the previous period"),
    "year": gettext_lazy("the same period a year before"),
    "none": gettext_lazy("nothing"),
}
TABLE_ROWS = 10


@dataclass
class Figure:
    """A headline figure of the period beside the comparison period's."""

    key: str
    label: str
    value: int | Decimal | None
    before: int | Decimal | None
    kind: str  # "money", "count" or "percent"
    link: str
    lower_is_better: bool = False

    @property
    def delta(self) -> Decimal | None:
        """The change: relative (0.25 is +25 %) for amounts and counts,
        in percentage points for rates."""
        if self.kind == "percent":
            if self.value is None or self.before is None:
                return None
            return Decimal(self.value) - Decimal(self.before)
        return reports.change(self.value, self.before)

    @property
    def delta_text(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        amount = delta if self.kind == "percent" else delta * 100
        amount = amount.quantize(Decimal("0.1"))
        if self.kind == "percent":
            return _("%(sign)s%(amount)s points") % {"sign": "+" if amount > 0 else "", "amount": amount}
        return f"{'+' if amount > 0 else ''}{amount} %"

    @property
    def direction(self) -> str:
        """ "up", "down", "same" or "" (nothing to compare), said in words on
        the page, not only in colour; from zero to something is "up"."""
        if self.value is None or self.before is None:
            return ""
        if self.value == self.before:
            return "same"
        return "up" if self.value > self.before else "down"

    @property
    def good(self) -> bool | None:
        if self.direction not in ("up", "down"):
            return None
        return (self.direction == "down") == self.lower_is_better


STOCK_COVER_SECONDS = 5 * 60


def dashboard_view(request: HttpRequest) -> TemplateResponse:
    """Staff only (``admin.site.admin_view`` in ``admin_urls``), and of them
    those with ``analytics.view_reports``."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    compare = request.GET.get("compare") or "previous"
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    context: dict[str, Any] = {
        "title": _("Analytics"),
        "compare": compare,
        "compare_choices": list(COMPARE_OPTIONS.items()),
        "form_from": first,
        "form_to": last,
        "quick_ranges": _quick_ranges(timezone.localdate(), compare if compare in COMPARES else "previous"),
    }
    try:
        if compare not in COMPARES:
            raise PeriodError(
                _("Compare with the previous period, the same period a year before, or nothing.")
            )
        period = reports.period_parse(first or None, last or None)
    except PeriodError as error:
        context["error"] = str(error)
        return _render(request, context, status=400)
    context.update(dashboard_figures(period, cast(Compare, compare)))
    context["downloads"] = _downloads(period, compare)
    context["form_from"], context["form_to"] = period.first.isoformat(), period.last.isoformat()
    return _render(request, context)


def _render(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(
        request,
        "analytics/admin/dashboard.html",
        {**admin.site.each_context(request), **context, "charts": bool(finders.find(CHART_JS))},
        status=status,
    )


def _downloads(period: Period, compare: str) -> dict[str, Any]:
    """The period's reports as files: everything as XLSX or PDF, and each
    report as CSV (analytics/export_views.py)."""

    def url(fmt: str, report: str = "") -> str:
        query = {"from": period.first.isoformat(), "to": period.last.isoformat(), "compare": compare}
        query |= {"format": fmt, **({"report": report} if report else {})}
        return f"{reverse('analytics_exports:export')}?{urlencode(query)}"

    return {
        "xlsx": url("xlsx"),
        "pdf": url("pdf"),
        "csv": [(str(title), url("csv", key)) for key, title in reports.REPORTS.items()],
    }


def _quick_ranges(today: date, compare: str) -> list[tuple[str, str]]:
    ranges = [
        (_("Last 7 days"), today - timedelta(days=6)),
        (_("Last 30 days"), today - timedelta(days=29)),
        (_("Last 90 days"), today - timedelta(days=89)),
        (_("This month"), today.replace(day=1)),
        (_("Year to date"), today.replace(month=1, day=1)),
    ]
    return [
        (label, "?" + urlencode({"from": first.isoformat(), "to": today.isoformat(), "compare": compare}))
        for label, first in ranges
    ]


def _between(url_name: str, field: str, period: Period, **extra: str) -> str:
    """An admin changelist filtered to ``field`` within the period, as
    instants of the shop's time zone (the admin reads the offset)."""
    start, _start_of_last = day_bounds(period.first)
    _start_of_last, end = day_bounds(period.last)
    query = {f"{field}__gte": start.isoformat(), f"{field}__lt": end.isoformat(), **extra}
    return f"{reverse(url_name)}?{urlencode(query)}"


def dashboard_figures(period: Period, compare: Compare) -> dict[str, Any]:
    """Everything the dashboard shows for ``period``: the same number of
    queries whatever the period."""
    other_period = period.compared(compare)
    total = reports.summary(period)
    other = reports.summary(other_period) if other_period else None
    orders_url = _between("admin:orders_order_changelist", "paid_at", period)
    returns_url = _between("admin:orders_return_changelist", "created_at", period)
    redemptions_url = _between("admin:promotions_redemption_changelist", "created_at", period)
    days = reports.daily(period)
    other_days = reports.daily(other_period) if other_period else []
    funnel = reports.funnel(total)
    products = reports.product_rankings(period, limit=TABLE_ROWS)
    categories_by_revenue = reports.top_categories(period, by="revenue", limit=TABLE_ROWS)
    categories_by_units = reports.top_categories(period, by="units", limit=TABLE_ROWS)
    return {
        "period": period,
        "other_period": other_period,
        "compare_label": COMPARES[compare],
        "figures": _headline(total, other, orders_url, returns_url, redemptions_url),
        "orders_url": orders_url,
        "cancelled_url": _between("admin:orders_order_changelist", "cancelled_at", period),
        "refunds_url": _between("admin:payments_refund_changelist", "created_at", period, status="succeeded"),
        "returns_url": returns_url,
        "redemptions_url": redemptions_url,
        "summary": total,
        "days": _days_table(days, other_days),
        "funnel": [(step, _percent(step.of_first), _percent(step.drop_off)) for step in funnel],
        "returns_rate": _percent(total.returns_rate),
        "products_by_revenue": _with_product_links(products.by_revenue),
        "products_by_units": _with_product_links(products.by_units),
        "viewed_not_bought": _with_product_links(products.viewed_not_bought),
        "categories_by_revenue": _with_category_links(categories_by_revenue),
        "categories_by_units": _with_category_links(categories_by_units),
        "searches": _with_search_links(reports.breakdown(period, Dimension.SEARCH, limit=TABLE_ROWS)),
        "zero_result_searches": _with_search_links(reports.zero_result_searches(period, limit=TABLE_ROWS)),
        "return_reasons": reports.breakdown(period, Dimension.RETURN_REASON, limit=TABLE_ROWS),
        "promo_codes": [
            (share, _between("admin:promotions_redemption_changelist", "created_at", period, q=share.key))
            for share in reports.breakdown(period, Dimension.PROMO, limit=TABLE_ROWS)
        ],
        "channels": reports.breakdown(period, Dimension.CHANNEL, limit=TABLE_ROWS, order="-count2"),
        "countries": [
            (share, _between("admin:orders_order_changelist", "paid_at", period, country=share.key))
            for share in reports.breakdown(period, Dimension.COUNTRY, limit=TABLE_ROWS)
        ],
        "stock_cover": _with_product_links(_stock_cover()),
        "chart_data": _chart_data(period, other_period, days, other_days, funnel),
    }


def _stock_cover() -> list[reports.StockCover]:
    """Stock cover does not depend on the period and reads the live stock of
    every product sold in 28 days (a third of the page's time at a million
    orders): kept for STOCK_COVER_SECONDS, as fresh as the rollups."""
    key = f"analytics:stock-cover:{timezone.localdate()}:{TABLE_ROWS}"
    cover = cache.get_or_set(key, lambda: reports.stock_cover(limit=TABLE_ROWS), STOCK_COVER_SECONDS)
    return cast(list[reports.StockCover], cover)


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))


def _headline(
    total: reports.Summary,
    other: reports.Summary | None,
    orders_url: str,
    returns_url: str,
    redemptions_url: str,
) -> list[Figure]:
    values = {key: value for key, _label, value in reports.summary_figures(total)}
    before = {key: value for key, _label, value in reports.summary_figures(other)} if other else {}
    labels = {key: label for key, label, _value in reports.summary_figures(total)}
    shown = [
        ("revenue", "money", orders_url, False),
        ("orders", "count", orders_url, False),
        ("aov", "money", orders_url, False),
        ("units", "count", orders_url, False),
        ("new_customers", "count", orders_url, False),
        ("returning_customers", "count", orders_url, False),
        ("conversion", "percent", "#funnel", False),
        ("abandonment", "percent", "#funnel", True),
        ("returns_rate", "percent", returns_url, True),
        ("discounts", "money", redemptions_url, True),
    ]
    return [
        Figure(key, labels[key], values[key], before.get(key), kind, link, lower_is_better)
        for key, kind, link, lower_is_better in shown
    ]


@dataclass
class DayRow:
    day: date
    orders: int
    revenue: Decimal
    other_day: date | None
    other_orders: int | None
    other_revenue: Decimal | None
    url: str  # the orders paid that day


def _days_table(days: list[reports.Day], other_days: list[reports.Day]) -> list[DayRow]:
    """The period's days beside the comparison's, day n beside day n (a year
    back over a 29 February, the comparison is a day shorter)."""
    rows = []
    for n, day in enumerate(days):
        other = other_days[n] if n < len(other_days) else None
        rows.append(
            DayRow(
                day.day,
                day.orders,
                day.revenue,
                other.day if other else None,
                other.orders if other else None,
                other.revenue if other else None,
                _between("admin:orders_order_changelist", "paid_at", Period(day.day, day.day)),
            )
        )
    return rows


def _chart_data(
    period: Period,
    other_period: Period | None,
    days: list[reports.Day],
    other_days: list[reports.Day],
    funnel: list[reports.FunnelStep],
) -> dict[str, Any]:
    """What static/js/analytics-dashboard.js draws, given to the page with
    ``json_script`` (amounts as strings: exact, and Chart.js reads them)."""
    current = _("This period (%s)") % period
    comparison = _("Comparison (%s)") % other_period if other_period else None
    rows = _days_table(days, other_days)
    return {
        "days": [row.day.isoformat() for row in rows],
        "series": {
            "revenue": {
                "label": _("Revenue (%s)") % settings.SHOP_CURRENCY,
                "current": [str(row.revenue) for row in rows],
                "comparison": [None if row.other_revenue is None else str(row.other_revenue) for row in rows]
                if other_period
                else None,
            },
            "orders": {
                "label": _("Orders"),
                "current": [row.orders for row in rows],
                "comparison": [row.other_orders for row in rows] if other_period else None,
            },
        },
        "currentLabel": current,
        "comparisonLabel": comparison,
        "funnel": {
            "label": _("Visitors"),
            "steps": [step.label for step in funnel],
            "visitors": [step.visitors for step in funnel],
        },
    }


def _with_product_links[R: (reports.ProductFigures, reports.StockCover)](
    rows: list[R],
) -> list[tuple[R, str]]:
    return [
        (row, reverse("admin:catalog_product_change", args=[row.product_id]) if _product_exists(row) else "")
        for row in rows
    ]


def _product_exists(row: ProductFigures | StockCover) -> bool:
    """Figures of a deleted product keep its id but lose its name and slug."""
    return bool(row.product_id) and bool(getattr(row, "slug", True))


def _with_category_links(rows: list[reports.CategoryFigures]) -> list[tuple[reports.CategoryFigures, str]]:
    return [
        (row, reverse("admin:catalog_category_change", args=[row.category_id]) if row.slug else "")
        for row in rows
    ]


def _with_search_links(rows: list[reports.Share]) -> list[tuple[reports.Share, str]]:
    return [(row, f"{reverse('catalog:product_list')}?{urlencode({'q': row.key})}") for row in rows]
