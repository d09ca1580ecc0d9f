"""Sending a staff announcement to its audience, in batches.

The announcement (``notifications.Announcement``) is written in the admin;
its audience is decided here, where the orders are: every active customer
with an account, or those with a paid order holding a product of a category
(or of its subcategories). ``announcement_start`` counts the audience and
queues the first batch; each batch owes ``BATCH`` people their
``marketing.announcement`` notification (once per person: the key names
them, so a batch run twice owes nothing twice; the outbox sends emails only
to people who opted in to marketing, and leaves an in-site notice), counts
its progress, and queues the next. A batch lost with the broker is queued
again by beat (``announcements_resume``).
"""

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Category
from notifications.models import Announcement
from notifications.services import notification_queue
from orders.models import OrderLine
from shop.celery import ShopTask
from shop.sites import shop_url

logger = logging.getLogger(__name__)

BATCH = 200
# A batch not heard of for this long (a lost task) is queued again.
RESUME_AFTER = timedelta(minutes=10)


class AnnouncementError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def announcement_audience(announcement: Announcement) -> QuerySet[User]:
    """The people the announcement is for, by primary key."""
    people = get_user_model()._default_manager.filter(is_active=True).exclude(email="")
    if announcement.audience == Announcement.Audience.CATEGORY_BUYERS:
        category = (
            Category.objects.filter(pk=announcement.category_id).first() if announcement.category_id else None
        )
        if category is None or not category.path:
            return people.none()
        bought = OrderLine.objects.filter(
            order__user=OuterRef("pk"),
            order__paid_at__isnull=False,
            variant__product__categories__path__startswith=category.path,
        )
        people = people.filter(Exists(bought))
    return people.order_by("pk")


def announcement_message(announcement: Announcement) -> tuple[dict[str, Any], dict[str, Any]]:
    """The context and parameters of its ``marketing.announcement`` message
    (the admin's form keeps its link a page of the shop)."""
    context = {
        "title": announcement.title,
        "paragraphs": [part.strip() for part in announcement.message.split("\n\n") if part.strip()],
        "link_url": shop_url(announcement.link) if announcement.link else "",
    }
    return context, {"title": announcement.title}


@transaction.atomic
def announcement_start(*, announcement_id: int) -> Announcement:
    """Send a draft: its audience is counted now and the first batch queued
    after commit. A second click finds it sending and starts nothing."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status != Announcement.Status.DRAFT:
        raise AnnouncementError(_("This announcement was sent already."))
    if announcement.audience == Announcement.Audience.CATEGORY_BUYERS and announcement.category_id is None:
        raise AnnouncementError(_("Choose the category whose buyers get it."))
    announcement.status = Announcement.Status.SENDING
    announcement.total = announcement_audience(announcement).count()
    announcement.started_at = timezone.now()
    announcement.save(update_fields=["status", "total", "started_at", "updated_at"])
    transaction.on_commit(partial(announcement_batch_send_task.delay, announcement.pk), robust=True)
    return announcement


def announcement_batch_send(*, announcement_id: int) -> bool:
    """Owe the next ``BATCH`` people their notice; True when more remain
    (and the next batch was queued). The announcement's row is locked for the
    batch, so a batch queued twice runs once after the other and finds the
    people done."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if announcement.status != Announcement.Status.SENDING:
            return False
        people = list(announcement_audience(announcement).filter(pk__gt=announcement.done_up_to)[:BATCH])
        context, params = announcement_message(announcement)
        for person in people:
            notification_queue(
                kind="marketing.announcement",
                key=f"{announcement.pk}:{person.pk}",
                context=context,
                params=params,
                email=person.email,
                user=person,
                link=announcement.link,
            )
        more = len(people) == BATCH
        if people:
            announcement.done += len(people)
            announcement.done_up_to = people[-1].pk
        if not more:
            announcement.status = Announcement.Status.SENT
            announcement.finished_at = timezone.now()
        announcement.save()
        if more:
            transaction.on_commit(partial(announcement_batch_send_task.delay, announcement.pk), robust=True)
    return more


# Queued by the service above (first and each next batch); named in tasks.py
# for the workers.
@shared_task(base=ShopTask, name="orders.announcement_batch_send")
def announcement_batch_send_task(announcement_id: int) -> bool:
    return announcement_batch_send(announcement_id=announcement_id)


def announcements_resume(*, now: datetime | None = None) -> int:
    """Queue the next batch of announcements still sending whose last batch
    was heard of too long ago (the broker lost it). Returns how many."""
    now = now or timezone.now()
    stalled = list(
        Announcement.objects.filter(
            status=Announcement.Status.SENDING, updated_at__lt=now - RESUME_AFTER
        ).values_list("pk", flat=True)
    )
    for announcement_id in stalled:
        announcement_batch_send_task.delay(announcement_id)
    return len(stalled)
