"""The stock services under real concurrent transactions on PostgreSQL:
threads, each with its own database connection, released at the same moment
by a barrier. Row locks and conditional UPDATEs must keep every unit sold at
most once, stock never negative and the ledger equal to the rows."""

from collections import Counter

import pytest
from django.db.models import Min, Sum

from catalog.models import Product, StockMovement, Variant
from catalog.stock import InsufficientStock, stock_adjust, stock_commit, stock_release, stock_reserve
from tests.catalog.factories import ProductFactory
from tests.concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Reason = StockMovement.Reason


def _stocked_variants(*on_hand: int) -> list[Variant]:
    """Variants whose stock came in through the ledger, so it balances."""
    product = ProductFactory.create(variants=len(on_hand), variants__stock=0)
    variants = list(product.variants.order_by("pk"))
    for variant, units in zip(variants, on_hand, strict=True):
        stock_adjust(variant=variant, quantity_change=units, reason=Reason.RESTOCK, note="Opening stock")
    return variants


def _assert_ledger_balances(variant: Variant) -> None:
    variant.refresh_from_db()
    ledger = StockMovement.objects.filter(variant=variant).aggregate(
        on_hand=Sum("on_hand_change"),
        reserved=Sum("reserved_change"),
        lowest_on_hand=Min("on_hand_after"),
        lowest_reserved=Min("reserved_after"),
    )
    assert (ledger["on_hand"], ledger["reserved"]) == (variant.stock_on_hand, variant.stock_reserved)
    assert ledger["lowest_on_hand"] >= 0
    assert ledger["lowest_reserved"] >= 0
    # The last row's "after" values are the row as it is now.
    last = StockMovement.objects.filter(variant=variant).order_by("-pk").first()
    assert last is not None
    assert (last.on_hand_after, last.reserved_after) == (variant.stock_on_hand, variant.stock_reserved)


def test_fifty_checkouts_for_the_last_five_units_reserve_exactly_five():
    (variant,) = _stocked_variants(5)

    def reserve(n: int) -> str:
        stock_reserve(lines=[(variant.pk, 1)], reference=f"CHK-{n}")
        return "reserved"

    outcomes = run_in_threads(50, reserve)

    assert outcomes == Counter({"reserved": 5, "InsufficientStock": 45})
    variant.refresh_from_db()
    assert (variant.stock_on_hand, variant.stock_reserved) == (5, 5)
    assert StockMovement.objects.filter(variant=variant, reason=Reason.RESERVATION).count() == 5
    assert Product.objects.get(pk=variant.product_id).in_stock is False
    _assert_ledger_balances(variant)


def test_checkouts_locking_two_variants_in_opposite_orders_never_deadlock():
    first, second = _stocked_variants(100, 100)
    rounds = 40

    def reserve_and_release(n: int) -> str:
        # One thread lists [first, second], the other [second, first].
        order = [first.pk, second.pk] if n % 2 == 0 else [second.pk, first.pk]
        for round_ in range(rounds):
            lines = [(pk, 1) for pk in order]
            stock_reserve(lines=lines, reference=f"T{n}-{round_}")
            stock_release(lines=lines, reference=f"T{n}-{round_}")
        return "done"

    outcomes = run_in_threads(4, reserve_and_release)

    assert outcomes == Counter({"done": 4})
    for variant in (first, second):
        variant.refresh_from_db()
        assert (variant.stock_on_hand, variant.stock_reserved) == (100, 0)
        assert StockMovement.objects.filter(variant=variant, reason=Reason.RESERVATION).count() == 4 * rounds
        _assert_ledger_balances(variant)


def test_checkouts_of_different_variants_of_the_same_products_never_deadlock():
    """No variant is shared, but both checkouts update the same two products
    (in-stock flag, units sold), which are locked in primary-key order too."""
    lamp = _stocked_variants(200, 200)
    mug = _stocked_variants(200, 200)
    rounds = 25

    def sell(n: int) -> str:
        lines = [(lamp[0].pk, 1), (mug[0].pk, 1)] if n % 2 == 0 else [(mug[1].pk, 1), (lamp[1].pk, 1)]
        for round_ in range(rounds):
            stock_reserve(lines=lines, reference=f"T{n}-{round_}")
            stock_commit(lines=lines, reference=f"T{n}-{round_}")
        return "done"

    outcomes = run_in_threads(4, sell)

    assert outcomes == Counter({"done": 4})
    assert Product.objects.get(pk=lamp[0].product_id).units_sold == 4 * rounds
    assert Product.objects.get(pk=mug[0].product_id).units_sold == 4 * rounds
    for variant in (*lamp, *mug):
        _assert_ledger_balances(variant)


def test_concurrent_sales_and_releases_keep_stock_and_units_sold_true():
    shirt, socks = _stocked_variants(12, 30)

    def checkout(n: int) -> str:
        lines = [(shirt.pk, 2), (socks.pk, 1)]
        try:
            stock_reserve(lines=lines, reference=f"ORD-{n}")
        except InsufficientStock:
            return "short"
        if n % 3 == 0:
            stock_release(lines=lines, reference=f"ORD-{n}")
            return "released"
        stock_commit(lines=lines, reference=f"ORD-{n}")
        return "sold"

    outcomes = run_in_threads(24, checkout)

    sold = outcomes["sold"]
    assert sum(outcomes.values()) == 24
    assert set(outcomes) <= {"sold", "released", "short"}
    assert 1 <= sold <= 6  # 12 shirts, 2 a checkout
    shirt.refresh_from_db()
    socks.refresh_from_db()
    assert (shirt.stock_on_hand, shirt.stock_reserved) == (12 - 2 * sold, 0)
    assert (socks.stock_on_hand, socks.stock_reserved) == (30 - sold, 0)
    assert Product.objects.get(pk=shirt.product_id).units_sold == 3 * sold
    assert StockMovement.objects.filter(reason=Reason.SALE).count() == 2 * sold
    assert (
        StockMovement.objects.filter(reason=Reason.RESERVATION_RELEASED).count() == 2 * outcomes["released"]
    )
    _assert_ledger_balances(shirt)
    _assert_ledger_balances(socks)
