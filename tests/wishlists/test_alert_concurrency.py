"""Back-in-stock alerts under real concurrent transactions on PostgreSQL:
threads, each with its own connection, released together by a barrier.
The variant's StockWatch lock must hand each unit that came back to
WISHLIST_STOCK_ALERT_FACTOR people, each told once, whatever runs at the
same moment (a second delivery and its sweep, beat's sweeps overlapping)."""

from collections import Counter

import pytest
from django.core import mail

from catalog.models import StockMovement, Variant
from catalog.stock import stock_adjust
from notifications.models import Notification
from tests.catalog.factories import ProductFactory
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from wishlists.alerts import BACK_IN_STOCK, stock_alert_subscribe, stock_alerts_send
from wishlists.models import StockAlert, StockWatch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Reason = StockMovement.Reason


@pytest.fixture(autouse=True)
def _factor_two(settings):
    settings.WISHLIST_STOCK_ALERT_FACTOR = 2


def _sold_out_with_waiting(people: int) -> tuple[Variant, list[StockAlert]]:
    variant = ProductFactory.create(variants__stock=0).variants.get()
    alerts = [stock_alert_subscribe(variant=variant, user=UserFactory.create()).alert for _ in range(people)]
    return variant, alerts


def _assert_told_once(variant: Variant, alerts: list[StockAlert], expected: int) -> None:
    """The first ``expected`` to ask were told, each by one notification and
    one email; the others still wait."""
    told = list(
        StockAlert.objects.filter(variant=variant, notified_at__isnull=False)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    assert told == [alert.pk for alert in alerts[:expected]]
    keys = list(Notification.objects.filter(kind=BACK_IN_STOCK).values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == expected
    assert sorted(keys) == sorted(str(pk) for pk in told)
    recipients = Counter(address for message in mail.outbox for address in message.to)
    assert len(recipients) == expected
    assert set(recipients.values()) == {1}
    assert (
        StockAlert.objects.filter(variant=variant, notified_at__isnull=True).count() == len(alerts) - expected
    )


def test_twenty_waiting_and_two_deliveries_at_once_tell_twice_the_units_each_once():
    variant, alerts = _sold_out_with_waiting(20)
    deliveries = [3, 2]

    def deliver_and_sweep(n: int) -> str:
        stock_adjust(
            variant=variant, quantity_change=deliveries[n], reason=Reason.RESTOCK, note=f"Delivery {n}"
        )
        return f"told {stock_alerts_send()}"

    outcomes = run_in_threads(2, deliver_and_sweep)

    assert sum(int(outcome.split()[1]) * count for outcome, count in outcomes.items()) == 10
    _assert_told_once(variant, alerts, min(20, 2 * sum(deliveries)))
    assert StockWatch.objects.get(variant=variant).available_seen == 5


def test_overlapping_sweeps_after_one_delivery_hand_out_its_units_once():
    variant, alerts = _sold_out_with_waiting(20)
    stock_adjust(variant=variant, quantity_change=4, reason=Reason.RESTOCK, note="Delivery")

    outcomes = run_in_threads(8, lambda n: f"told {stock_alerts_send()}")

    assert sum(int(outcome.split()[1]) * count for outcome, count in outcomes.items()) == 8
    _assert_told_once(variant, alerts, 8)


def test_deliveries_and_sweeps_racing_never_tell_more_than_the_units_allow():
    variant, alerts = _sold_out_with_waiting(20)

    def work(n: int) -> str:
        if n % 2 == 0:  # four deliveries of one unit
            stock_adjust(variant=variant, quantity_change=1, reason=Reason.RESTOCK, note=f"Delivery {n}")
        return f"told {stock_alerts_send()}"

    run_in_threads(8, work)
    stock_alerts_send()  # beat's next minute: whatever a sweep ran too early to see

    _assert_told_once(variant, alerts, 8)
    assert StockWatch.objects.get(variant=variant).available_seen == 4
