"""Live updates (/notifications/stream/): server-sent events of the notices
stored for the signed-in person. A notice committed on any process reaches an
open stream through Redis pub/sub at once; a reconnect with Last-Event-ID
resumes without loss or duplicate; with Redis down (or absent) the stream
polls the database, and the change that owes the notice never fails for it;
under WSGI (``runserver``) the stream is a polling generator."""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection, connections, transaction
from django.test import AsyncClient, Client

from accounts.models import User
from notifications import live
from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.notices import notice, notice_queue

pytestmark = pytest.mark.django_db(transaction=True)

STREAM = "/notifications/stream/"


@pytest.fixture
def ada() -> User:
    return UserFactory.create(email="ada@example.com")


@pytest.fixture
def ada_async(ada: User) -> AsyncClient:
    client = AsyncClient()
    client.force_login(ada)
    return client


def _parse(chunk: bytes) -> list[dict[str, Any]]:
    """The events (``id`` and JSON ``data``) in a chunk; comments are skipped."""
    events = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "data" in fields:
            events.append({"id": int(fields["id"]), **json.loads(fields["data"])})
    return events


async def _next_events(
    chunks: AsyncIterator[bytes], *, within: float, count: int = 1
) -> list[dict[str, Any]]:
    """Read chunks until ``count`` events came, for at most ``within`` seconds."""
    deadline = time.monotonic() + within
    events: list[dict[str, Any]] = []
    while len(events) < count:
        events += _parse(await asyncio.wait_for(anext(chunks), timeout=deadline - time.monotonic()))
    return events


def _in_own_thread(function: Callable[[], Any]) -> Any:
    """Run ``function`` in a thread of its own. The browser tests' Playwright
    (sync API) leaves an event loop running in a worker's main thread, where
    Django refuses ``async_to_sync`` (and so a sync request to an async
    view). The tests are transactional: that thread sees the same rows."""

    def run() -> Any:
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _content(response: Any) -> Any:
    """The body of a streaming response, as the test client returns it."""
    return response.streaming_content


def _get_all(client: Client, query: dict[str, str]) -> tuple[Any, bytes]:
    response = client.get(STREAM, query)
    return response, b"".join(_content(response))


def _committed_notice(user: User, number: str) -> Notification:
    try:
        with transaction.atomic():
            return notice_queue(user=user, number=number)
    finally:
        connection.close()  # this thread's, so none is left open


def _stream_read(client: AsyncClient, headers: dict[str, str] | None = None, **query: str) -> Any:
    """Open the stream and read from it in ``reader(chunks)``."""

    def run(reader: Any) -> Any:
        async def go() -> Any:
            response = await client.get(STREAM, query, headers=headers or {})
            assert response.status_code == 200
            assert response["Content-Type"] == "text/event-stream"
            chunks = aiter(_content(response))
            try:
                opening = await anext(chunks)
                assert opening.startswith(b"retry: ")
                return await reader(chunks)
            finally:
                await chunks.aclose()

        return _in_own_thread(async_to_sync(go))

    return run


@pytest.mark.redis
def test_a_notice_committed_elsewhere_reaches_the_open_stream_through_redis(
    ada, ada_async, monkeypatch
) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", 60.0)  # only pub/sub can wake it in time
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 30.0)

    async def reader(chunks: AsyncIterator[bytes]) -> tuple[list[dict[str, Any]], float, Notification]:
        waiting = asyncio.ensure_future(_next_events(chunks, within=5))
        await asyncio.sleep(0.5)  # subscribed and waiting
        started = time.monotonic()
        queued = await sync_to_async(_committed_notice)(ada, "A7")
        events = await waiting
        return events, time.monotonic() - started, queued

    events, seconds, queued = _stream_read(ada_async)(reader)

    assert events == [
        {
            "id": queued.pk,
            "title": "Order A7 was cancelled",
            "link": "/orders/A7/",
            "created": queued.created_at.isoformat(),
            "unread": 1,
        }
    ]
    assert seconds < 1.0


@pytest.mark.redis
def test_last_event_id_resumes_without_loss_or_duplicate(ada, ada_async, monkeypatch) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", 60.0)
    first, second, third = notice(user=ada), notice(user=ada), notice(user=ada)

    async def reader(chunks: AsyncIterator[bytes]) -> list[int]:
        seen = [event["id"] for event in await _next_events(chunks, within=5, count=2)]
        waiting = asyncio.ensure_future(_next_events(chunks, within=5))
        await asyncio.sleep(0.3)
        fourth = await sync_to_async(_committed_notice)(ada, "A8")
        seen += [event["id"] for event in await waiting]
        assert seen[-1] == fourth.pk
        return seen

    seen = _stream_read(ada_async, headers={"Last-Event-ID": str(first.pk)})(reader)

    assert seen[:2] == [second.pk, third.pk]
    assert len(seen) == 3
    assert len(set(seen)) == 3


def test_with_redis_down_the_change_goes_through_and_the_stream_polls(
    ada, ada_async, settings, monkeypatch, caplog
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    monkeypatch.setattr(live, "POLL_SECONDS", 0.2)
    live._publisher.cache_clear()
    caplog.set_level(logging.WARNING, logger="notifications.live")

    async def reader(chunks: AsyncIterator[bytes]) -> tuple[list[dict[str, Any]], Notification]:
        waiting = asyncio.ensure_future(_next_events(chunks, within=5))
        await asyncio.sleep(0.3)
        queued = await sync_to_async(_committed_notice)(ada, "A9")
        return await waiting, queued

    events, queued = _stream_read(ada_async, since=str(time.time() - 1))(reader)

    assert [event["id"] for event in events] == [queued.pk]
    assert Notification.objects.filter(pk=queued.pk).exists()
    assert any("could not publish" in record.message for record in caplog.records)
    assert any("the stream polls" in record.message for record in caplog.records)


def test_without_redis_the_stream_polls_the_database(ada, ada_async, settings, monkeypatch) -> None:
    settings.REDIS_URL = ""  # the make-run demo
    monkeypatch.setattr(live, "POLL_SECONDS", 0.2)
    earlier = notice(user=ada)

    async def reader(chunks: AsyncIterator[bytes]) -> list[int]:
        waiting = asyncio.ensure_future(_next_events(chunks, within=5))
        await asyncio.sleep(0.3)
        queued = await sync_to_async(_committed_notice)(ada, "A10")
        return [event["id"] for event in await waiting] + [queued.pk]

    seen = _stream_read(ada_async, after=str(earlier.pk))(reader)

    assert seen[0] == seen[1]


def test_under_wsgi_the_stream_polls_and_closes_for_the_browser_to_reconnect(ada, monkeypatch) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(live, "STREAM_SECONDS", 0.3)
    stored = notice(user=ada, title="Order A3 was delivered", link="/orders/A3/")
    client = Client()
    client.force_login(ada)

    response, body = _in_own_thread(lambda: _get_all(client, {"after": "0"}))

    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache, no-store"
    events = _parse(body)  # the stream ended by itself
    assert [(e["id"], e["title"], e["link"], e["unread"]) for e in events] == [
        (stored.pk, "Order A3 was delivered", "/orders/A3/", 1)
    ]


def test_only_ones_own_notices_are_streamed_and_anonymous_visitors_get_none(ada, monkeypatch) -> None:
    monkeypatch.setattr(live, "STREAM_SECONDS", 0.1)
    notice(user=UserFactory.create())
    client = Client()
    assert _in_own_thread(lambda: client.get(STREAM)).status_code == 403
    client.force_login(ada)
    _response, body = _in_own_thread(lambda: _get_all(client, {"after": "0"}))
    assert _parse(body) == []
