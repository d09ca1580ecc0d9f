"""The Redis cache as an accelerator, not a dependency of every page.

``ResilientRedisCache`` is Django's own Redis backend. While Redis cannot be
reached it answers as an empty cache that keeps nothing (Django's
``DummyCache``: every read misses, every write is dropped, ``add`` succeeds,
``incr`` finds no key), so that:

- pages are built afresh instead of read from the page cache;
- sessions (``cached_db``) are read from and written to the database;
- rate limits count nothing: they fail open (docs/decisions.md says why, per
  limit);
- cache invalidation (generation numbers) is a no-op: nothing is cached to
  invalidate. A Redis that was only unreachable and kept its data may serve
  entries up to their timeout (``CATALOG_PAGE_CACHE_SECONDS`` and the like)
  once it is back; one that restarted is empty.

After a connection error the process leaves Redis alone for
``CACHE_REDIS_RETRY_SECONDS`` (so a Redis that hangs costs one timeout, not one
per cache call), and says so in the log at most once per
``CACHE_REDIS_LOG_SECONDS``. Errors other than the connection's (a wrong
command, a value that is not a number) are bugs and are raised as usual.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class _Health:
    """Per process and location: until when Redis is left alone, and when its
    state was last logged. Cache objects are per thread; this is shared."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.logged_at = -float("inf")
        self.down = False

    def skipping(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, location: str, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until = now + settings.CACHE_REDIS_RETRY_SECONDS
            self.down = True
            if now - self.logged_at < settings.CACHE_REDIS_LOG_SECONDS:
                return
            self.logged_at = now
        logger.error(
            "Cache: Redis at %s is unreachable (%s: %s); serving without the cache, retrying every %ss",
            location,
            type(error).__name__,
            error,
            settings.CACHE_REDIS_RETRY_SECONDS,
        )

    def answered(self, location: str) -> None:
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down = False
        logger.warning("Cache: Redis at %s answers again", location)


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


def _missing(key: Any, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"Key '{key}' not found")


def _resilient(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: "ResilientRedisCache", *args: Any, **kwargs: Any) -> Any:
        health = _health_of(self._location)
        if health.skipping():
            return fallback(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as error:
            health.failed(self._location, error)
            return fallback(*args, **kwargs)
        health.answered(self._location)
        return result

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}, or what an empty cache answers while Redis is unreachable."
    return method


class _ReusedRedisClient(RedisCacheClient):
    """Django builds a new ``redis.Redis`` for every cache call, and its
    constructor fills a table of some 170 reply handlers: half a millisecond
    of every page served from the cache (profiled). One per connection pool
    serves them all; a ``redis.Redis`` is safe to share between threads (each
    command takes its own connection from the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own private helpers, which django-stubs does not describe.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server
        self._class = _ReusedRedisClient

    add = _resilient("add", lambda *args, **kwargs: True)
    get = _resilient("get", lambda key, default=None, version=None: default)
    set = _resilient("set", lambda *args, **kwargs: None)
    touch = _resilient("touch", lambda *args, **kwargs: False)
    delete = _resilient("delete", lambda *args, **kwargs: False)
    get_many = _resilient("get_many", lambda *args, **kwargs: {})
    has_key = _resilient("has_key", lambda *args, **kwargs: False)
    incr = _resilient("incr", _missing)
    set_many = _resilient("set_many", lambda *args, **kwargs: [])
    delete_many = _resilient("delete_many", lambda *args, **kwargs: None)
    clear = _resilient("clear", lambda *args, **kwargs: None)


def count_in_window(key: str, seconds: int, *, alias: str = "default") -> int:
    """Add one to the counter ``key`` and return its new value; the counter
    starts with the first call and lasts ``seconds``. On Redis this is one
    round trip (``INCR`` and ``EXPIRE … NX`` in one pipeline), where Django's
    cache API takes two or three; elsewhere (the embedded local-memory cache)
    ``add`` then ``incr``. While Redis is unreachable it returns 0: whatever
    counts with it fails open, as every cache use does (see above)."""
    from django.core.cache import caches

    store = caches[alias]
    if not isinstance(store, ResilientRedisCache):
        store.add(key, 0, timeout=seconds)
        try:
            return int(store.incr(key))
        except ValueError:  # expired between the two calls: a new window
            store.add(key, 1, timeout=seconds)
            return 1
    health = _health_of(store._location)
    if health.skipping():
        return 0
    redis_key = store.make_and_validate_key(key)
    try:
        pipeline = store._cache.get_client(write=True).pipeline(transaction=False)
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, seconds, nx=True)
        value, _ = pipeline.execute()
    except UNREACHABLE as error:
        health.failed(store._location, error)
        return 0
    health.answered(store._location)
    return int(value)
