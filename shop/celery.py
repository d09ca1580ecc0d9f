"""The Celery app: configured from Django settings (``CELERY_*``).

Without ``REDIS_URL`` the settings make every task run eagerly in-process, so
the shop works on a laptop with nothing installed.
"""

import os
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.result import EagerResult

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class EagerRetryTask(DjangoTask[Any, Any]):
    """Retries that also happen when tasks run eagerly (no Redis: a laptop,
    the tests). With ``task_eager_propagates`` Celery's eager ``apply`` hands
    the autoretry's ``Retry`` to the caller instead of running the task
    again; here each attempt runs without propagating, so a ``Retry`` runs the
    next one at once (countdowns are ignored eagerly), and only the final
    failure is raised. Workers never call ``apply``."""

    def apply(  # type: ignore[override]  # passes every other option through
        self, args: Any = None, kwargs: Any = None, *, throw: bool | None = None, **options: Any
    ) -> EagerResult[Any]:
        if throw is None:
            throw = bool(self.app.conf.task_eager_propagates)
        result = super().apply(args, kwargs, throw=False, **options)
        if throw:
            result.maybe_throw()
        return result
