"""In-site notices made fast for the centre's and the stream's tests."""

import itertools
from typing import Any

from notifications.kinds import KINDS
from notifications.models import Notification
from notifications.services import notification_queue

_keys = itertools.count(1)


def notice(
    *, user: Any, title: str = "Order A1 was shipped", link: str = "/orders/A1/", **fields: Any
) -> Notification:
    """A stored in-site notice for ``user``, as an order's change leaves one."""
    return Notification.objects.create(
        kind="order.shipped", key=f"test:{next(_keys)}", user=user, title=title, link=link, **fields
    )


def notice_queue(*, user: Any, number: str = "A1") -> Notification:
    """A notice owed the way the shop owes one (``notification_queue``)."""
    spec = KINDS["order.cancelled"]
    queued = notification_queue(
        kind="order.cancelled",
        key=f"{number}:{next(_keys)}",
        context=spec.sample,
        params={**spec.sample_params, "number": number},
        user=user,
        link=f"/orders/{number}/",
    )
    assert queued is not None  # an order's message always goes
    return queued
