"""/api/v1/staff/analytics/: the dashboard's figures and every report of
``analytics.reports`` as JSON, for staff with ``analytics.view_reports``
(the dashboard's own permission) and the ``staff:analytics`` scope. Numbers
come as strings ("1234.50", "12"), as the exports write them, so no client
rounds money through a float."""

from datetime import date
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from analytics import reports
from api.scopes import STAFF_ANALYTICS
from api.staff_serializers import AnalyticsQuerySerializer, ReportTableSerializer, SummarySerializer
from api.staff_views import StaffView, parsed

PERMISSION = "analytics.view_reports"


def _text(value: Any) -> str | None:
    """A cell or figure as text: numbers and dates as the exports write them."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # Decimal, int, text


def _period(request: Request) -> tuple[reports.Period, reports.Compare]:
    """The period asked for (the last 30 days by default) and its comparison; a 400 if impossible."""
    query = parsed(AnalyticsQuerySerializer, request.query_params)
    first, last = query.get("from"), query.get("to")
    period = reports.period_parse(first.isoformat() if first else None, last.isoformat() if last else None)
    return period, cast(reports.Compare, query["compare"])


class AnalyticsSummary(StaffView):
    scopes = {"GET": STAFF_ANALYTICS}
    staff_permissions = {"GET": [PERMISSION]}

    @extend_schema(parameters=[AnalyticsQuerySerializer], responses=SummarySerializer)
    def get(self, request: Request) -> Response:
        period, compare = _period(request)
        other_period = period.compared(compare)
        before = (
            {key: value for key, _label, value in reports.summary_figures(reports.summary(other_period))}
            if other_period
            else {}
        )
        figures = [
            {
                "key": key,
                "name": label,
                "value": _text(value),
                "compared": _text(before.get(key)),
                "change": _text(reports.change(value, before.get(key))),
            }
            for key, label, value in reports.summary_figures(reports.summary(period))
        ]
        body = {"period": period, "compared_period": other_period, "figures": figures}
        return Response(SummarySerializer(body).data)


class AnalyticsReport(StaffView):
    scopes = {"GET": STAFF_ANALYTICS}
    staff_permissions = {"GET": [PERMISSION]}

    @extend_schema(parameters=[AnalyticsQuerySerializer], responses=ReportTableSerializer)
    def get(self, request: Request, key: str) -> Response:
        if key not in reports.REPORTS:
            raise NotFound(f"No report “{key}”; the reports are: {', '.join(reports.REPORTS)}.")
        period, compare = _period(request)
        table = next(table for table in reports.report_tables(period, compare=compare) if table.key == key)
        body = {
            "key": table.key,
            "title": table.title,
            "period": period,
            "columns": [str(column) for column in table.columns],
            "rows": [[_text(cell) for cell in row] for row in table.rows],
        }
        return Response(ReportTableSerializer(body).data)
