"""Email through the outbox (``OutboundEmail``): ``outbound_email_queue``
writes the message in the caller's transaction and queues its sending after
commit; the task sends it once, under the row's lock, and retries a mail
server that is down; a beat sweep queues again what is still owed. A sent
message keeps only its envelope (its text may hold one-time links)."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial, reduce
from operator import or_

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shop.models import OutboundEmail

logger = logging.getLogger(__name__)

# Every outbox of the shop (these rows, the order's, the variant's low-stock
# alert) leaves an owed message to its task's retries this long before the
# sweep queues it again, and gives up after RESEND_WITHIN: no news any more
# (a 3-day verification link).
RESEND_AFTER = timedelta(minutes=30)
RESEND_WITHIN = timedelta(days=3)
# Sent messages' envelopes are kept this long, then deleted.
KEEP_SENT = timedelta(days=30)


def outbound_email_queue(*, message: EmailMessage, purpose: str) -> OutboundEmail:
    """Owe ``message`` (text, and HTML if it has an alternative or is HTML)."""
    html = ""
    body = str(message.body)
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (str(content) for content, mimetype in message.alternatives if mimetype == "text/html"), ""
        )
    if message.content_subtype == "html":
        body, html = "", body
    owed = OutboundEmail.objects.create(
        purpose=purpose[:100],
        recipient=message.to[0] if message.to else "",
        to=list(message.to),
        from_email=message.from_email,
        subject=str(message.subject)[:998],
        body=body,
        html=html,
    )
    _send_after_commit(owed.pk)
    return owed


def _send_after_commit(email_id: int) -> None:
    """Queue the sending once the caller's transaction commits (robust: a
    broker that is down must not undo it; the sweep sends it later)."""
    from shop import tasks  # tasks imports us

    transaction.on_commit(partial(tasks.outbound_email_send.delay, email_id), robust=True)


def outbound_email_send(*, email_id: int) -> bool:
    """Send an owed message once; False when it was sent already (or is
    gone). A failure is counted, kept in ``last_error`` and raised for the
    task to retry; the message stays owed."""
    with transaction.atomic():
        owed = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if owed is None or owed.sent_at is not None:
            return False
        message = EmailMultiAlternatives(
            subject=owed.subject, body=owed.body, from_email=owed.from_email, to=owed.to
        )
        if owed.html and owed.body:
            message.attach_alternative(owed.html, "text/html")
        elif owed.html:
            message.body = owed.html
            message.content_subtype = "html"
        failure: Exception | None = None
        try:
            message.send()
        except Exception as error:  # whatever the backend raises: kept, then raised for the retry
            failure = error
        owed.attempts += 1
        if failure is None:
            owed.sent_at = timezone.now()
            owed.body = owed.html = ""
        else:
            owed.last_error = f"{type(failure).__name__}: {failure}"[:500]
        owed.save(update_fields=["attempts", "sent_at", "body", "html", "last_error"])
    if failure is not None:  # after the commit, so the attempt is counted
        raise failure
    return True


def owed_for_resending(field: str, *, now: datetime | None = None) -> dict[str, datetime]:
    """The filter of what has been owed since ``field`` for longer than
    ``RESEND_AFTER`` (its task was lost or gave up), but not longer than
    ``RESEND_WITHIN``: what a sweep queues again."""
    now = now or timezone.now()
    return {f"{field}__lt": now - RESEND_AFTER, f"{field}__gte": now - RESEND_WITHIN}


def outbound_emails_resend(*, now: datetime | None = None) -> int:
    """Queue every message still owed after ``RESEND_AFTER`` (within
    ``RESEND_WITHIN``), and delete envelopes sent before ``KEEP_SENT``.
    Returns how many were queued."""
    from shop import tasks  # tasks imports us

    now = now or timezone.now()
    OutboundEmail.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    owed = OutboundEmail.objects.filter(sent_at__isnull=True, **owed_for_resending("created_at", now=now))
    email_ids = list(owed.values_list("pk", flat=True))
    for email_id in email_ids:
        tasks.outbound_email_send.delay(email_id)
    return len(email_ids)


def outbound_emails_erase(*, email: str) -> int:
    """Everything owed or kept for ``email`` (account deletion)."""
    deleted, _kinds = OutboundEmail.objects.filter(recipient__iexact=email).delete()
    return deleted


def outbound_emails_for(*, emails: Iterable[str]) -> QuerySet[OutboundEmail]:
    """What was owed or sent to any of ``emails`` (for "Download my data");
    sent rows hold only their envelope."""
    to_any = reduce(or_, (Q(recipient__iexact=email) for email in emails), Q(pk__in=[]))
    return OutboundEmail.objects.filter(to_any).order_by("created_at", "pk")
