import os
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path
from smtplib import SMTPException

import pytest

from shop.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _celery_conf(**env: str) -> str:
    code = (
        "from shop.celery import app; c = app.conf; "
        "print(c.broker_url, c.task_always_eager, c.task_acks_late, c.task_reject_on_worker_lost, "
        "c.task_time_limit, c.task_soft_time_limit, c.task_default_queue)"
    )
    base = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_tasks_run_eagerly_without_redis():
    assert _celery_conf() == "memory:// True True True 300 240 default"


def test_tasks_go_to_the_redis_broker_when_redis_is_configured():
    assert (
        _celery_conf(REDIS_URL="redis://cache:6379/0")
        == "redis://cache:6379/0 False True True 300 240 default"
    )


def _registered_tasks() -> dict[str, object]:
    # What a worker imports at start. Celery's Django fix-up runs the system
    # checks on that signal, and on SQLite a JSONField check opens the database.
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_slow_work_is_routed_to_its_own_queue():
    assert _queue("notifications.notification_send") == "email"
    assert _queue("shipping.tasks.carrier_rates_fetch") == "carriers"
    assert _queue("orders.orders_unpaid_expire") == "default"
    assert isinstance(app.conf.beat_schedule, dict)


@pytest.mark.django_db
def test_every_task_that_sends_email_goes_to_the_email_queue():
    senders = sorted(
        name
        for name, task in _registered_tasks().items()
        if SMTPException in (getattr(task, "autoretry_for", None) or ())
    )

    assert senders == ["notifications.notification_send"]
    assert {name: _queue(name) for name in senders} == dict.fromkeys(senders, "email")


@pytest.mark.django_db
def test_every_route_and_every_beat_entry_names_a_registered_task():
    names = _registered_tasks()

    unrouted = [pattern for pattern in app.conf.task_routes if not any(fnmatch(n, pattern) for n in names)]
    unknown = [entry["task"] for entry in app.conf.beat_schedule.values() if entry["task"] not in names]

    assert unrouted == []
    assert unknown == []
