"""One job of a name at a time: a second holder of an advisory lock waits
for the first transaction to end (PostgreSQL, two real connections)."""

import threading
import time

import pytest
from django.db import connections, transaction

from promotions.locks import advisory_xact_lock
from promotions.services import promotion_sale_prices_refresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_second_sale_price_refresh_waits_for_the_first_to_commit():
    holding = threading.Event()
    release = threading.Event()
    finished: dict[str, float] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                advisory_xact_lock("promotions:sale-prices-refresh")
                holding.set()
                release.wait(timeout=30)
                finished["first"] = time.monotonic()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            holding.wait(timeout=30)
            promotion_sale_prices_refresh()
            finished["second"] = time.monotonic()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert holding.wait(timeout=30)
    time.sleep(0.5)
    assert "second" not in finished  # it is waiting for the lock
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    assert finished["first"] <= finished["second"]


def test_the_lock_needs_a_transaction():
    with pytest.raises(RuntimeError, match="needs a transaction"):
        advisory_xact_lock("anything")
