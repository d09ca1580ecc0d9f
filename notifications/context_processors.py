from functools import cache
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from notifications.selectors import notices_unread_count


def notices(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count for a signed-in person: one indexed COUNT,
    run only when a page shows it. Anonymous visitors get nothing, so no
    query (and the page cache, which keeps only their pages, sees no change).
    ``notices_since`` is when the page was made: its live stream sends what
    came after."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_id = user.pk
    return {
        "notices_unread": cache(lambda: notices_unread_count(user_id=user_id)),
        "notices_since": f"{timezone.now().timestamp():.6f}",
    }
