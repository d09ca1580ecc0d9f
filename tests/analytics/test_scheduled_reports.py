"""Scheduled report emails (analytics.services, beat hourly): a staff
member's daily or weekly report is owed once per period through the outbox,
as HTML with every report in a PDF attached; nothing goes to inactive staff,
to those without the reports' permission, or for a switched-off schedule.
Staff manage their own schedules in the admin."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from analytics.models import ReportSchedule
from analytics.reports import Period
from analytics.services import scheduled_report_send, scheduled_reports_send
from analytics.tasks import scheduled_reports_send as scheduled_reports_send_task
from notifications.models import Attachment, Notification
from shop.celery import app
from tests.analytics.factories import reports_staff, sales_today, today
from tests.concurrency import run_in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Frequency = ReportSchedule.Frequency


def _at(day: Any, hour: int = 0) -> datetime:
    """A moment of ``day`` in the shop's time zone (beat's first run after midnight)."""
    return timezone.make_aware(datetime.combine(day, time(hour, 5)))


def _next_monday() -> Any:
    """The Monday after today: its week before holds today."""
    return today() + timedelta(days=7 - today().weekday())


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_daily_report_is_emailed_once_with_the_pdf_attached(django_capture_on_commit_callbacks):
    orders = sales_today(title="Desk lamp")
    charged = sum((order.total for order in orders), Decimal(0))
    person = reports_staff(email="owner@example.com")
    schedule = ReportSchedule.objects.create(user=person, frequency=Frequency.DAILY, compare="previous")
    tomorrow = _at(today() + timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        first = scheduled_reports_send(now=tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        second = scheduled_reports_send(now=tomorrow + timedelta(hours=1))  # beat, an hour later

    assert (first, second) == (1, 0)
    (email,) = mail.outbox
    day = today().isoformat()
    assert email.to == ["owner@example.com"]
    assert email.subject == f"[{settings.SHOP_NAME}] Sales report {day} to {day}"
    assert isinstance(email, EmailMultiAlternatives)
    html = str(email.alternatives[0][0])
    assert "Desk lamp" in html
    assert f"{charged:,.2f}" in html  # the revenue, beside the day before's
    assert f"Compared with {today() - timedelta(days=1)} to {today() - timedelta(days=1)}" in html
    assert "Top products by revenue" in html
    (attachment,) = email.attachments
    assert attachment[0] == f"sales-{day}-{day}.pdf"
    assert attachment[2] == "application/pdf"
    text = _pdf_text(attachment[1])
    assert f"Period: {day} to {day}" in text
    assert "Desk lamp" in text
    assert "Stock running out" in text
    schedule.refresh_from_db()
    assert schedule.last_sent_for == today()
    assert not Attachment.objects.exists()  # sent: the outbox keeps only the envelope


def test_the_task_run_twice_sends_one_email(monkeypatch):
    person = reports_staff()
    ReportSchedule.objects.create(user=person, frequency=Frequency.DAILY)

    # Beat's task, run eagerly as the tests run Celery; twice, as a retry or a second beat would.
    scheduled_reports_send_task.delay()
    scheduled_reports_send_task.delay()

    assert Notification.objects.filter(kind="analytics.scheduled_report").count() == 1
    assert ReportSchedule.objects.get().last_sent_for == today() - timedelta(days=1)


def test_the_task_is_on_the_reports_queue_and_run_hourly_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["analytics-scheduled-reports-send"]

    assert entry == {"task": "analytics.scheduled_reports_send", "schedule": 3600}
    assert app.amqp.router.route({}, "analytics.scheduled_reports_send")["queue"].name == "reports"


def test_the_same_period_owed_twice_is_one_email(django_capture_on_commit_callbacks):
    """Even past ``last_sent_for`` (a schedule edited back), the outbox's
    occasion is the schedule and the period: owed once."""
    schedule = ReportSchedule.objects.create(user=reports_staff(), frequency=Frequency.DAILY)
    monday = _next_monday()

    with django_capture_on_commit_callbacks(execute=True):
        scheduled_reports_send(now=_at(monday))
        ReportSchedule.objects.filter(pk=schedule.pk).update(last_sent_for=None)
        scheduled_reports_send(now=_at(monday, 9))

    assert len(mail.outbox) == 1


def test_a_weekly_report_goes_on_monday_for_the_week_before(django_capture_on_commit_callbacks):
    sales_today()
    person = reports_staff()
    schedule = ReportSchedule.objects.create(user=person, frequency=Frequency.WEEKLY, compare="none")
    monday = _next_monday()

    with django_capture_on_commit_callbacks(execute=True):
        on_other_days = [scheduled_reports_send(now=_at(monday + timedelta(days=n))) for n in range(1, 7)]
        on_monday = scheduled_reports_send(now=_at(monday, 7))
        again = scheduled_reports_send(now=_at(monday, 8))

    assert on_other_days == [0] * 6
    assert (on_monday, again) == (1, 0)
    first, last = monday - timedelta(days=7), monday - timedelta(days=1)
    assert (first.weekday(), last.weekday()) == (0, 6)  # Monday to Sunday
    (email,) = mail.outbox
    assert f"Sales report {first} to {last}" in email.subject
    assert isinstance(email, EmailMultiAlternatives)
    assert "Compared with" not in str(email.alternatives[0][0])
    assert email.attachments[0][0] == f"sales-{first}-{last}.pdf"
    schedule.refresh_from_db()
    assert schedule.last_sent_for == last


def test_a_daily_schedule_sends_each_day_its_own_day(django_capture_on_commit_callbacks):
    ReportSchedule.objects.create(user=reports_staff(), frequency=Frequency.DAILY)
    start = today() + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            scheduled_reports_send(now=_at(start + timedelta(days=n)))
            scheduled_reports_send(now=_at(start + timedelta(days=n), 13))

    days = [today() + timedelta(days=n) for n in range(3)]
    assert [m.subject.split("Sales report ")[1] for m in mail.outbox] == [f"{d} to {d}" for d in days]


def test_nothing_goes_to_inactive_staff_to_staff_without_the_permission_or_for_a_switched_off_schedule(
    django_capture_on_commit_callbacks,
):
    inactive = reports_staff(is_active=False)
    without_permission = UserFactory.create(is_staff=True)
    no_longer_staff = reports_staff(is_staff=False)
    switched_off = reports_staff()
    superuser = UserFactory.create(is_staff=True, is_superuser=True, email="boss@example.com")
    for user in (inactive, without_permission, no_longer_staff, superuser):
        ReportSchedule.objects.create(user=user, frequency=Frequency.DAILY)
    ReportSchedule.objects.create(user=switched_off, frequency=Frequency.DAILY, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        sent = scheduled_reports_send(now=_at(today() + timedelta(days=1)))

    assert sent == 1
    assert [m.to for m in mail.outbox] == [["boss@example.com"]]  # a superuser has every permission
    assert ReportSchedule.objects.filter(last_sent_for__isnull=False).count() == 1


def test_losing_the_permission_stops_the_emails(django_capture_on_commit_callbacks):
    person = reports_staff()
    ReportSchedule.objects.create(user=person, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled_reports_send(now=_at(today() + timedelta(days=1)))

    person.user_permissions.clear()
    with django_capture_on_commit_callbacks(execute=True):
        later = scheduled_reports_send(now=_at(today() + timedelta(days=2)))

    assert later == 0
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_owe_one_email():
    schedule = ReportSchedule.objects.create(user=reports_staff(), frequency=Frequency.DAILY)
    yesterday = today() - timedelta(days=1)

    def work(n: int) -> str:
        with transaction.atomic():
            return (
                "sent"
                if scheduled_report_send(schedule_id=schedule.pk, period=Period(yesterday, yesterday))
                else "not"
            )

    outcomes = run_in_threads(4, work)

    assert outcomes == {"sent": 1, "not": 3}
    assert len(mail.outbox) == 1


# --- The admin -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_admin_mfa(settings: Any) -> None:
    settings.ADMIN_REQUIRE_MFA = False  # tested in tests/accounts/test_mfa.py


def test_staff_schedule_a_report_for_themselves_and_see_only_theirs(client):
    person = reports_staff()
    colleague = reports_staff()
    theirs = ReportSchedule.objects.create(user=colleague, frequency=Frequency.DAILY)
    client.force_login(person)
    add_url = reverse("admin:analytics_reportschedule_add")

    form = client.get(add_url)
    response = client.post(add_url, {"frequency": "weekly", "compare": "year", "is_active": "on"})
    listing = client.get(reverse("admin:analytics_reportschedule_changelist"))

    assert form.status_code == 200
    assert 'name="user"' not in form.content.decode()
    assert response.status_code == 302
    mine = ReportSchedule.objects.exclude(pk=theirs.pk).get()
    assert (mine.user, mine.frequency, mine.compare, mine.is_active) == (person, "weekly", "year", True)
    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:analytics_reportschedule_change", args=[theirs.pk])).status_code == 302
    assert ReportSchedule.objects.filter(pk=theirs.pk).exists()


def test_a_superuser_schedules_for_any_staff_member_defaulting_to_themselves(staff_client):
    colleague = reports_staff(email="colleague@example.com")
    customer = UserFactory.create()
    add_url = reverse("admin:analytics_reportschedule_add")

    form = staff_client.get(add_url)
    refused = staff_client.post(add_url, {"user": customer.pk, "frequency": "daily", "compare": "none"})
    response = staff_client.post(add_url, {"user": colleague.pk, "frequency": "daily", "compare": "none"})

    boss = form.context["adminform"].form.initial["user"]
    assert boss == form.wsgi_request.user.pk
    assert refused.status_code == 200  # only staff may receive the reports
    assert response.status_code == 302
    assert ReportSchedule.objects.get().user == colleague


def test_staff_without_the_reports_permission_cannot_schedule(client):
    client.force_login(UserFactory.create(is_staff=True))

    assert client.get(reverse("admin:analytics_reportschedule_changelist")).status_code == 403
    assert client.get(reverse("admin:analytics_reportschedule_add")).status_code == 403
