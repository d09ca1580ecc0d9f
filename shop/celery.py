"""The Celery app: configured from Django settings (``CELERY_*``).

Without ``REDIS_URL`` the settings make every task run eagerly in-process, so
the shop works on a laptop with nothing installed.
"""

import os
from functools import partial
from smtplib import SMTPException
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.result import EagerResult
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")


class ShopTask(DjangoTask[Any, Any]):
    """Every task of the shop. Queued on commit, a task never fails the
    request whose data committed: a broker that is down is logged
    (``robust``), and the row that owes the work (an outbox, a variant owing
    its low-stock alert, a shipment polled for tracking, sale prices
    refreshed by beat) has it queued again by a periodic sweep."""

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]  # passes all through
        transaction.on_commit(partial(self.delay, *args, **kwargs), robust=True)

    def apply_async_on_commit(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]  # passes all through
        transaction.on_commit(partial(self.apply_async, *args, **kwargs), robust=True)


app = Celery("shop", task_cls=ShopTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class EagerRetryTask(ShopTask):
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


# The options of every task that sends email: a mail server that is down or
# slow (SMTPException is an OSError; both are named so the intent reads) is
# retried with growing pauses, up to 10 times (about an hour); anything else
# is a bug and fails at once. The task's row says whether it was sent, so a
# retry after a success sends nothing twice.
EMAIL_RETRIES: dict[str, Any] = {
    "base": EagerRetryTask,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 10,
}
