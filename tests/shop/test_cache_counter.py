"""``count_in_window``: the counter under the API's rates. One round trip to
Redis per count, exact under overlapping requests, gone with its window, and
failing open (0) while Redis is unreachable; on the embedded local-memory
cache it counts the same way."""

import itertools
import threading
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from shop import cache as shop_cache
from shop.cache import count_in_window

_keys = itertools.count()


def _key() -> str:
    return f"test-counter-{threading.get_ident()}-{next(_keys)}"


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Commands sent to Redis, one entry per round trip (a pipeline is one)."""
    sent: list[int] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(1)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent


@pytest.mark.redis
def test_a_count_is_one_round_trip_to_redis(round_trips):
    key = _key()
    count_in_window(key, 60)  # the connection's handshake is not a count's
    round_trips.clear()

    assert count_in_window(key, 60) == 2

    assert len(round_trips) == 1


@pytest.mark.redis
def test_the_counter_lasts_its_window_and_no_longer():
    key = _key()
    count_in_window(key, 60)
    count_in_window(key, 5)  # a later call does not stretch the window

    store: Any = caches["default"]  # Django's RedisCache: its client is private
    ttl = store._cache.get_client(write=True).ttl(store.make_and_validate_key(key))
    assert 55 < ttl <= 60


@pytest.mark.redis
def test_overlapping_counts_are_each_counted_once():
    key = _key()
    seen: list[int] = []
    start = threading.Barrier(16)

    def count() -> None:
        start.wait()
        for _ in range(10):
            seen.append(count_in_window(key, 60))

    threads = [threading.Thread(target=count) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(seen) == list(range(1, 161))


def test_the_local_memory_cache_counts_alike():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        key = _key()
        assert [count_in_window(key, 60) for _ in range(3)] == [1, 2, 3]


def test_while_redis_is_unreachable_the_count_is_zero_and_says_so_once(settings, caplog):
    settings.CACHE_REDIS_RETRY_SECONDS = 30
    unreachable = {
        "default": {
            "BACKEND": "shop.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        shop_cache._health.pop("redis://127.0.0.1:9/0", None)
        assert [count_in_window(_key(), 60) for _ in range(3)] == [0, 0, 0]
        shop_cache._health.pop("redis://127.0.0.1:9/0", None)

    assert len([record for record in caplog.records if "unreachable" in record.message]) == 1
