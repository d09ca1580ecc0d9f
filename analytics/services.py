"""The verbs of analytics (tracking itself is ``analytics.events.track``)."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from analytics import rollups
from analytics.exports import cell_text, compare_parse, export_filename, tables_pdf
from analytics.models import Event, ReportSchedule, VisitorSalt
from analytics.reports import Period, Table, report_tables
from notifications.services import notification_queue
from shop.sites import shop_url

REPORT_PERMISSION = "analytics.view_reports"
Frequency = ReportSchedule.Frequency
# What the scheduled email shows (the PDF attached has every report, its top
# lists PDF_TOP_ROWS long): the summary with its comparison, and the top of
# these lists.
EMAIL_TABLES = ("summary", "products_revenue", "categories", "searches", "zero_result_searches")
EMAIL_TOP_ROWS = 5
PDF_TOP_ROWS = 25


def events_purge(*, now: datetime | None = None) -> int:
    """Delete events older than ``ANALYTICS_RETENTION_DAYS`` (the daily
    rollups keep their figures) and the visitor keys of days gone by;
    returns how many events."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    deleted, _kinds = Event.objects.filter(occurred_at__lt=cutoff).delete()
    VisitorSalt.objects.filter(day__lt=timezone.localdate(now)).delete()
    return deleted


# --- Scheduled reports ------------------------------------------------------------------


def schedule_period(*, frequency: str, today: date) -> Period | None:
    """The period a schedule of ``frequency`` reports on ``today`` (a day
    of the shop's time zone): daily, yesterday; weekly, on Mondays only, the
    week from the Monday before to yesterday. None: nothing is due today."""
    yesterday = today - timedelta(days=1)
    if frequency == Frequency.DAILY:
        return Period(yesterday, yesterday)
    if frequency == Frequency.WEEKLY and today.weekday() == 0:
        return Period(today - timedelta(days=7), yesterday)
    return None


def scheduled_reports_send(*, now: datetime | None = None) -> int:
    """Owe every schedule due now its report (beat, hourly: the first run
    of the day finds them due, the others find them sent); returns how many
    were owed. Yesterday's rollup is computed first, so its last quarter of
    an hour is in the report."""
    today = timezone.localdate(now)
    due: list[tuple[int, Period]] = []
    for frequency in Frequency:
        period = schedule_period(frequency=frequency, today=today)
        if period is None:
            continue
        schedules = (
            ReportSchedule.objects.filter(
                frequency=frequency, is_active=True, user__is_active=True, user__is_staff=True
            )
            .filter(Q(last_sent_for__isnull=True) | Q(last_sent_for__lt=period.last))
            .order_by("pk")
        )
        due += [(pk, period) for pk in schedules.values_list("pk", flat=True)]
    if not due:
        return 0
    yesterday = today - timedelta(days=1)
    rollups.rollups_rebuild(yesterday, yesterday)
    return sum(scheduled_report_send(schedule_id=pk, period=period) for pk, period in due)


def scheduled_report_send(*, schedule_id: int, period: Period) -> bool:
    """Owe a schedule's person the report of ``period`` (an email of the
    outbox, the PDF attached) and note the period sent, in one transaction
    under the schedule's lock: run twice, at once or one after the other, it
    owes one email. False when nothing was owed: sent already, the schedule
    switched off, or its person no longer active staff with the permission."""
    with transaction.atomic():
        schedule = (
            ReportSchedule.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=schedule_id)
            .first()
        )
        if schedule is None or not schedule.is_active:
            return False
        if schedule.last_sent_for is not None and schedule.last_sent_for >= period.last:
            return False
        user = schedule.user
        if not (user.is_active and user.is_staff and user.email and user.has_perm(REPORT_PERMISSION)):
            return False
        compare = compare_parse(schedule.compare)  # the model's choices are the same three words
        compared = period.compared(compare)
        tables = report_tables(period, compare=compare, limit=PDF_TOP_ROWS)
        note = _("Compared with %(period)s.") % {"period": compared} if compared else ""
        filename = export_filename(period, "pdf")
        pdf = tables_pdf(tables, _("Sales report"), period, note=note)
        notification_queue(
            kind="analytics.scheduled_report",
            key=f"{schedule.pk}:{period.first:%Y-%m-%d}:{period.last:%Y-%m-%d}",
            context={
                "period": str(period),
                "compared": str(compared) if compared else "",
                "frequency": _("daily") if schedule.frequency == Frequency.DAILY else _("weekly"),
                "tables": _email_tables(tables),
                "attachment": filename,
                "dashboard_url": shop_url(
                    "/admin/analytics/?"
                    + urlencode({"from": f"{period.first:%Y-%m-%d}", "to": f"{period.last:%Y-%m-%d}"})
                ),
                "schedules_url": shop_url(reverse("admin:analytics_reportschedule_changelist")),
            },
            params={"period": str(period)},
            email=user.email,
            attachments=[(filename, pdf, "application/pdf")],
        )
        schedule.last_sent_for = period.last
        schedule.save(update_fields=["last_sent_for"])
    return True


def _email_tables(tables: list[Table]) -> list[dict[str, Any]]:
    """The email's tables as text to show: the summary whole, the top lists
    cut to ``EMAIL_TOP_ROWS``."""
    return [
        {
            "title": table.title,
            "columns": [str(column) for column in table.columns],
            "rows": [
                [cell_text(cell) for cell in row]
                for row in (table.rows if table.key == "summary" else table.rows[:EMAIL_TOP_ROWS])
            ],
        }
        for table in tables
        if table.key in EMAIL_TABLES
    ]
