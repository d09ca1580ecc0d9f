"""A task sent through the real Redis broker is run by a real worker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from shop.celery import app as celery_app


@celery_app.task(name="tests.shop.mail_ping")
def mail_ping(to: str) -> None:
    mail.send_mail("ping", "pong", None, [to])


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_travels_through_the_redis_broker_to_a_worker(settings):
    assert celery_app.conf.broker_url == settings.REDIS_URL
    celery_app.conf.task_always_eager = False  # the shared fixture restores it
    celery_app.control.purge()

    # celery-types knows only Celery[Task]; ours is Celery[ShopTask], a Task.
    with start_worker(celery_app, queues=["default"], perform_ping_check=False, pool="solo"):  # type: ignore[arg-type]
        mail_ping.delay("ops@example.com")
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)

    assert [message.to for message in mail.outbox] == [["ops@example.com"]]
