"""Live updates: a person's new notices pushed to their open pages.

The database is the one source: the stream only sends notices it reads there.
Redis pub/sub only says *when* to read: ``notification_queue`` publishes the
person's channel after its transaction commits (``notice_publish``), on
whichever web or worker process wrote the notice, and every stream held open
for that person, on any process, wakes up and reads what is new. A message
lost (Redis restarted, a publish that failed) delays nothing for long: the
stream closes after ``STREAM_SECONDS`` and the browser's EventSource
reconnects with ``Last-Event-ID``, which reads again from the database.

Without Redis (the ``make run`` demo, or Redis down) a stream reads the
database every ``POLL_SECONDS`` instead. Under WSGI (``runserver``) Django
would buffer an async stream whole, so there the stream is a plain generator
that polls (``notice_events_polling``); under ASGI (uvicorn) it is the async
``notice_events``.

An event is ``id: <pk>`` and ``data: {"id", "title", "link", "created",
"unread"}``; a comment line every ``HEARTBEAT_SECONDS`` keeps proxies from
closing an idle stream.
"""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from functools import cache, partial

import redis
import redis.asyncio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from notifications.selectors import notices_new, notices_unread_count

logger = logging.getLogger(__name__)

STREAM_SECONDS = 180.0
HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 2.0
# What the browser waits before reconnecting after the stream closed.
RECONNECT_MILLISECONDS = 1000
# A Redis that does not answer costs a notice's request at most this.
PUBLISH_TIMEOUT_SECONDS = 0.5


def notice_channel(user_id: int) -> str:
    """The person's pub/sub channel, named under the cache's key prefix
    (``CACHE_KEY_PREFIX``), so shops sharing one Redis do not wake each
    other's streams.

    >>> from django.test import override_settings
    >>> with override_settings(CACHES={"default": {"KEY_PREFIX": "lamps"}}):
    ...     notice_channel(7)
    'lamps:notifications:user:7'
    """
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "shop"
    return f"{prefix}:notifications:user:{user_id}"


@cache
def _publisher(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS, socket_timeout=PUBLISH_TIMEOUT_SECONDS
    )


def notice_publish(user_id: int) -> None:
    """Wake the streams held open for this person. Never raises: a notice is
    stored whatever Redis does, and streams read it on their next reconnect."""
    if not settings.REDIS_URL:
        return
    try:
        _publisher(settings.REDIS_URL).publish(notice_channel(user_id), "new")
    except RedisError as error:
        logger.warning("Notifications: could not publish to Redis (%s: %s)", type(error).__name__, error)


def notice_publish_after_commit(user_id: int) -> None:
    transaction.on_commit(partial(notice_publish, user_id), robust=True)


def _event(*, event_id: int | None, data: object) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class _Cursor:
    """What one connection has sent: the floor it started from and every id
    since (notices commit in any order of their ids)."""

    def __init__(self, *, user_id: int, after_id: int | None, since: datetime | None) -> None:
        self.user_id = user_id
        self.after_id = after_id
        self.since = since if after_id is not None or since is not None else timezone.now()
        self.sent: set[int] = set()

    def read(self) -> list[bytes]:
        """The events of the notices not sent yet (a database read; then the
        connection is given back, so an open page holds none)."""
        try:
            notices = notices_new(
                user_id=self.user_id, after_id=self.after_id, since=self.since, sent=self.sent
            )
            if not notices:
                return []
            unread = notices_unread_count(user_id=self.user_id)
        finally:
            if not connection.in_atomic_block:
                connection.close()
        self.sent.update(notice.pk for notice in notices)
        return [
            _event(
                event_id=notice.pk,
                data={
                    "id": notice.pk,
                    "title": notice.title,
                    "link": notice.link,
                    "created": notice.created_at.isoformat(),
                    "unread": unread,
                },
            )
            for notice in notices
        ]


def _opening() -> bytes:
    return f"retry: {RECONNECT_MILLISECONDS}\n: connected\n\n".encode()


async def _subscribe(user_id: int) -> "redis.asyncio.client.PubSub | None":
    if not settings.REDIS_URL:
        return None
    client = redis.asyncio.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
        socket_timeout=HEARTBEAT_SECONDS + 5,
    )
    subscription = client.pubsub(ignore_subscribe_messages=True)
    try:
        await subscription.subscribe(notice_channel(user_id))
    except RedisError as error:
        logger.warning(
            "Notifications: Redis unreachable (%s: %s); the stream polls", type(error).__name__, error
        )
        await subscription.aclose()
        await client.aclose()
        return None
    return subscription


async def _woken(subscription: "redis.asyncio.client.PubSub", seconds: float) -> bool:
    """Wait up to ``seconds`` for a message on the person's channel."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if await subscription.get_message(timeout=left) is not None:
            return True
    return False


async def notice_events(
    *, user_id: int, after_id: int | None, since: datetime | None
) -> AsyncIterator[bytes]:
    """The stream under ASGI: the notices after ``after_id`` (or newer than
    ``since``; without either, from now), then each new one as it is
    committed, for ``STREAM_SECONDS``."""
    cursor = _Cursor(user_id=user_id, after_id=after_id, since=since)
    read = sync_to_async(cursor.read)
    yield _opening()
    # Subscribed before the first read: a notice committed in between is
    # read then or wakes the stream, never lost.
    subscription = await _subscribe(user_id)
    try:
        closes = time.monotonic() + STREAM_SECONDS
        beat = time.monotonic()
        for event in await read():
            yield event
        while (left := closes - time.monotonic()) > 0:
            if subscription is not None:
                try:
                    woken = await _woken(subscription, min(HEARTBEAT_SECONDS, left))
                except RedisError as error:
                    logger.warning("Notifications: Redis lost (%s); the stream polls", type(error).__name__)
                    await subscription.aclose()
                    subscription = None
                    woken = True
            else:
                await asyncio.sleep(min(POLL_SECONDS, left))
                woken = True
            if woken:
                for event in await read():
                    yield event
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                beat = time.monotonic()
                yield b": heartbeat\n\n"
    finally:
        if subscription is not None:
            await subscription.aclose()
            await subscription.connection_pool.disconnect()


def notice_events_polling(*, user_id: int, after_id: int | None, since: datetime | None) -> Iterator[bytes]:
    """The same stream under WSGI (``runserver``): a thread that reads the
    database every ``POLL_SECONDS``."""
    cursor = _Cursor(user_id=user_id, after_id=after_id, since=since)
    yield _opening()
    closes = time.monotonic() + STREAM_SECONDS
    yield from cursor.read()
    while (left := closes - time.monotonic()) > 0:
        time.sleep(min(POLL_SECONDS, left))
        # A comment before every read: writing to a browser that has gone
        # ends this generator, so a closed page stops costing queries.
        yield b":\n\n"
        yield from cursor.read()
