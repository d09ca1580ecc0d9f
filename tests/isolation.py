"""A pytest plugin (``-p tests.isolation``, in pyproject's addopts) that gives
each xdist worker a Redis database of its own before Django reads its settings.

``bin/test`` sets ``REDIS_URL`` to the run's first database; worker ``gwN``
takes the N-th below it, so ``cache.clear()`` in one worker never empties
another's cache (Redis keeps no namespaces finer than a database). The
PostgreSQL test database is named per worker by pytest-django itself
(``test_<name>_gwN``).
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

# bin/test gives each concurrent run a block of this many databases.
DATABASES_PER_RUN = 4


def worker_redis_url(url: str, worker: str) -> str:
    """``redis://h:p/15`` for ``gw1`` is ``redis://h:p/14``.

    >>> worker_redis_url("redis://127.0.0.1:6379/15", "gw1")
    'redis://127.0.0.1:6379/14'
    >>> worker_redis_url("redis://127.0.0.1:6379/15", "master")
    'redis://127.0.0.1:6379/15'
    """
    if not worker.startswith("gw"):
        return url
    index = int(worker.removeprefix("gw"))
    if index >= DATABASES_PER_RUN:
        raise pytest.UsageError(f"at most {DATABASES_PER_RUN} xdist workers share a run's Redis block")
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) - index
    if database < 0:
        raise pytest.UsageError(f"{url} leaves no Redis database for worker {worker}")
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker and os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], worker)
