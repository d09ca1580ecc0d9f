"""The notification centre, its live stream and the header's unread count."""

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from notifications.links import local_path
from notifications.live import notice_events, notice_events_polling
from notifications.models import Notification
from notifications.selectors import notices_of, notices_unread_count
from notifications.services import notice_read, notices_read_all

PAGE_SIZE = 20


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # behind login_required


@never_cache
@login_required
@require_safe
def notification_list_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(notices_of(user_id=_user_id(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    notices = list(page.object_list)
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "notices": notices, "newest_id": notices[0].pk if page.number == 1 and notices else 0},
    )


@never_cache
@login_required
@require_safe
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go where it points: a path of this site only,
    anything else (another host, a scheme) leads back to the centre."""
    try:
        notice = notice_read(user_id=_user_id(request), notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    return redirect(local_path(notice.link) or "notifications:list")


@login_required
@require_POST
def notifications_read_all_view(request: HttpRequest) -> HttpResponse:
    count = notices_read_all(user_id=_user_id(request))
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@never_cache
@require_safe
def notifications_unread_view(request: HttpRequest) -> HttpResponse:
    """``{"unread": n}`` for the page's script when the stream is not to be had."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not signed in"}, status=403)
    return JsonResponse({"unread": notices_unread_count(user_id=_user_id(request))})


def _stream_start(request: HttpRequest) -> tuple[int | None, datetime | None]:
    """Where the stream starts: the browser's ``Last-Event-ID`` on a
    reconnect, else the newest notice the page showed (``after``), else the
    time the page was made (``since``)."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("after", "")):
        if raw.isdigit():
            return int(raw), None
    try:
        # A UNIX time in seconds (the page's own clock reading), not an amount.
        return None, datetime.fromtimestamp(float(request.GET.get("since", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None, None


@require_safe
async def notifications_stream_view(request: HttpRequest) -> HttpResponseBase:
    """Server-sent events: the person's new notices as they are stored."""
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=403)
    after_id, since = _stream_start(request)
    if isinstance(request, ASGIRequest):
        events = notice_events(user_id=int(user.pk or 0), after_id=after_id, since=since)
        response = StreamingHttpResponse(events, content_type="text/event-stream")
    else:  # WSGI would buffer an async stream whole: poll in this thread
        polling = notice_events_polling(user_id=int(user.pk or 0), after_id=after_id, since=since)
        response = StreamingHttpResponse(polling, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
