"""The verbs of analytics (tracking itself is ``analytics.events.track``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from analytics.models import Event, VisitorSalt


def events_purge(*, now: datetime | None = None) -> int:
    """Delete events older than ``ANALYTICS_RETENTION_DAYS`` (the daily
    rollups keep their figures) and the visitor keys of days gone by;
    returns how many events."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    deleted, _kinds = Event.objects.filter(occurred_at__lt=cutoff).delete()
    VisitorSalt.objects.filter(day__lt=timezone.localdate(now)).delete()
    return deleted
