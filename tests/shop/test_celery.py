import os
import subprocess
import sys
from pathlib import Path

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


def test_slow_work_is_routed_to_its_own_queue():
    routes = app.conf.task_routes

    assert routes["notifications.*"] == {"queue": "email"}
    assert routes["shipping.*"] == {"queue": "carriers"}
    assert routes["analytics.*"] == {"queue": "reports"}
    assert isinstance(app.conf.beat_schedule, dict)
