"""Liveness and readiness: is the database answering, and Redis if configured."""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

type Check = dict[str, bool | str]


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("health: database is down: %s", exc)
        return {"configured": True, "ok": False, "error": exc.__class__.__name__}
    return {"configured": True, "ok": True}


def redis_check() -> Check:
    if not settings.REDIS_URL:
        return {"configured": False, "ok": True}
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        logger.warning("health: redis is down: %s", exc)
        return {"configured": True, "ok": False, "error": exc.__class__.__name__}
    finally:
        client.close()
    return {"configured": True, "ok": True}


@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_check(), "redis": redis_check()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
