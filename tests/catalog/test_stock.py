"""The stock services: adjust, reserve, release, commit, and their ledger.
Concurrency is proved in test_stock_concurrency.py; low-stock alerts in
test_low_stock_alert.py."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from catalog.models import Product, StockMovement, Variant
from catalog.stock import (
    InsufficientStock,
    Shortage,
    StockError,
    stock_adjust,
    stock_commit,
    stock_release,
    stock_reserve,
)
from tests.catalog.factories import ProductFactory, VariantFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Reason = StockMovement.Reason


def _variant(*, sku: str = "TEE-M", on_hand: int = 10, reserved: int = 0, threshold: int = 0) -> Variant:
    variant = VariantFactory.create(sku=sku, stock_on_hand=on_hand, low_stock_threshold=threshold)
    if reserved:
        Variant.objects.filter(pk=variant.pk).update(stock_reserved=reserved)
        variant.refresh_from_db()
    return variant


def _stock(variant: Variant) -> tuple[int, int]:
    variant.refresh_from_db()
    return variant.stock_on_hand, variant.stock_reserved


def _ledger(variant: Variant) -> list[tuple[str, int, int, int, int, str]]:
    return list(
        StockMovement.objects.filter(variant=variant)
        .order_by("pk")
        .values_list(
            "reason", "on_hand_change", "reserved_change", "on_hand_after", "reserved_after", "reference"
        )
    )


# --- stock_adjust -------------------------------------------------------------


def test_restock_adds_units_and_writes_a_ledger_row_with_who_and_why():
    variant = _variant(on_hand=3)
    clerk = UserFactory.create(email="clerk@example.com", is_staff=True)

    movement = stock_adjust(
        variant=variant,
        quantity_change=12,
        reason=Reason.RESTOCK,
        note="Pallet from the supplier",
        by=clerk,
        reference="PO-7",
    )

    assert _stock(variant) == (15, 0)
    movement.refresh_from_db()
    assert (movement.reason, movement.on_hand_change, movement.reserved_change) == ("restock", 12, 0)
    assert (movement.on_hand_after, movement.reserved_after) == (15, 0)
    assert (movement.note, movement.reference, movement.created_by) == (
        "Pallet from the supplier",
        "PO-7",
        clerk,
    )


def test_adjust_updates_the_variant_instance_it_was_given():
    variant = _variant(on_hand=3)

    stock_adjust(variant=variant, quantity_change=-2, reason=Reason.ADJUSTMENT, note="Broken")

    assert (variant.stock_on_hand, variant.stock_reserved) == (1, 0)


def test_adjustment_may_lower_stock_down_to_what_is_reserved():
    variant = _variant(on_hand=10, reserved=4)

    stock_adjust(variant=variant, quantity_change=-6, reason=Reason.ADJUSTMENT, note="Count")

    assert _stock(variant) == (4, 4)


def test_adjustment_below_reserved_is_refused_naming_the_sku_and_changes_nothing():
    variant = _variant(sku="MUG-BLUE", on_hand=10, reserved=4)

    with pytest.raises(StockError, match=r"MUG-BLUE by -7: 10 on hand and 4 reserved"):
        stock_adjust(variant=variant, quantity_change=-7, reason=Reason.ADJUSTMENT, note="Count")

    assert _stock(variant) == (10, 4)
    assert _ledger(variant) == []


def test_adjustment_below_zero_is_refused():
    variant = _variant(sku="MUG-RED", on_hand=2)

    with pytest.raises(StockError, match="MUG-RED"):
        stock_adjust(variant=variant, quantity_change=-3, reason=Reason.ADJUSTMENT, note="Count")

    assert _stock(variant) == (2, 0)


@pytest.mark.parametrize("reason", [Reason.RESTOCK, Reason.RETURN])
def test_restock_and_return_must_add_units(reason):
    variant = _variant(sku="CAP-1", on_hand=5)

    with pytest.raises(StockError, match="CAP-1 must be above zero"):
        stock_adjust(variant=variant, quantity_change=-1, reason=reason, note="")

    assert _stock(variant) == (5, 0)


@pytest.mark.parametrize("reason", [Reason.SALE, Reason.RESERVATION, Reason.RESERVATION_RELEASED, "theft"])
def test_adjust_refuses_reasons_that_belong_to_checkout(reason):
    variant = _variant(on_hand=5)

    with pytest.raises(StockError, match="is not a reason for a stock adjustment"):
        stock_adjust(variant=variant, quantity_change=1, reason=reason, note="")


def test_adjust_by_zero_is_refused():
    variant = _variant(sku="ZERO-1")

    with pytest.raises(StockError, match="ZERO-1 must be above zero"):
        stock_adjust(variant=variant, quantity_change=0, reason=Reason.ADJUSTMENT, note="")


def test_a_return_puts_a_product_back_in_stock_for_the_listing():
    product = ProductFactory.create(variants=1, variants__stock=0)
    variant = product.variants.get()
    assert product.in_stock is False

    stock_adjust(variant=variant, quantity_change=1, reason=Reason.RETURN, note="", reference="ORD-1")

    product.refresh_from_db()
    assert product.in_stock is True


# --- stock_reserve ------------------------------------------------------------


def test_reserve_holds_units_of_every_line_and_writes_one_row_per_variant():
    tee, mug = _variant(sku="TEE", on_hand=5), _variant(sku="MUG", on_hand=3)

    movements = stock_reserve(lines=[(tee, 2), (mug, 3), (tee, 1)], reference="CHK-1")

    assert _stock(tee) == (5, 3)
    assert _stock(mug) == (3, 3)
    assert [(m.variant_id, m.reason, m.reserved_change, m.reserved_after) for m in movements] == [
        (tee.pk, "reservation", 3, 3),
        (mug.pk, "reservation", 3, 3),
    ]
    assert _ledger(tee) == [("reservation", 0, 3, 5, 3, "CHK-1")]


def test_reserve_accepts_a_mapping_of_variant_ids():
    tee = _variant(on_hand=5)

    stock_reserve(lines={tee.pk: 4}, reference="CHK-2")

    assert _stock(tee) == (5, 4)


def test_reserve_is_all_or_nothing_and_names_every_short_sku_with_what_is_available():
    tee = _variant(sku="TEE", on_hand=5)
    mug = _variant(sku="MUG", on_hand=3, reserved=2)
    cap = _variant(sku="CAP", on_hand=0)

    with pytest.raises(InsufficientStock) as error:
        stock_reserve(lines={tee.pk: 5, mug.pk: 2, cap.pk: 1}, reference="CHK-3")

    assert error.value.shortages == [
        Shortage(sku="MUG", requested=2, available=1),
        Shortage(sku="CAP", requested=1, available=0),
    ]
    assert str(error.value) == (
        "Not enough stock of MUG: 2 requested, 1 available. "
        "Not enough stock of CAP: 1 requested, 0 available."
    )
    assert [_stock(tee), _stock(mug), _stock(cap)] == [(5, 0), (3, 2), (0, 0)]
    assert StockMovement.objects.count() == 0


def test_insufficient_stock_is_a_stock_error_and_a_value_error():
    assert issubclass(InsufficientStock, StockError)
    assert issubclass(StockError, ValueError)


def test_reserving_the_last_units_takes_the_product_out_of_stock():
    product = ProductFactory.create(variants=2, variants__stock=2)
    first, second = product.variants.order_by("pk")

    stock_reserve(lines=[(first, 2)], reference="CHK-4")
    product.refresh_from_db()
    assert product.in_stock is True

    stock_reserve(lines=[(second, 2)], reference="CHK-5")
    product.refresh_from_db()
    assert product.in_stock is False


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
def test_reserve_refuses_quantities_that_are_not_positive_whole_numbers(quantity):
    tee = _variant(sku="TEE-Q", on_hand=5)

    with pytest.raises(StockError, match="TEE-Q"):
        stock_reserve(lines=[(tee, quantity)], reference="CHK")

    assert _stock(tee) == (5, 0)


def test_reserve_refuses_an_unknown_variant_and_reserves_nothing():
    tee = _variant(on_hand=5)

    with pytest.raises(StockError, match="No variant with id 999999"):
        stock_reserve(lines={tee.pk: 1, 999999: 1}, reference="CHK")

    assert _stock(tee) == (5, 0)


def test_reserve_refuses_no_lines():
    with pytest.raises(StockError, match="No stock lines"):
        stock_reserve(lines=[], reference="CHK")


# --- stock_release ------------------------------------------------------------


def test_release_gives_reserved_units_back():
    tee = _variant(on_hand=5)
    stock_reserve(lines=[(tee, 3)], reference="CHK-6")

    stock_release(lines=[(tee, 2)], reference="CHK-6")

    assert _stock(tee) == (5, 1)
    assert _ledger(tee) == [
        ("reservation", 0, 3, 5, 3, "CHK-6"),
        ("reservation_released", 0, -2, 5, 1, "CHK-6"),
    ]


def test_release_of_more_than_reserved_is_refused_and_changes_nothing():
    tee, mug = _variant(sku="TEE", on_hand=5, reserved=2), _variant(sku="MUG", on_hand=5, reserved=1)

    with pytest.raises(StockError, match="Cannot release 2 of MUG: only 1 reserved"):
        stock_release(lines=[(tee, 2), (mug, 2)], reference="CHK-7")

    assert [_stock(tee), _stock(mug)] == [(5, 2), (5, 1)]
    assert StockMovement.objects.count() == 0


# --- stock_commit -------------------------------------------------------------


def test_commit_sells_reserved_units_and_counts_them_as_sold():
    product = ProductFactory.create(variants=2, variants__stock=5)
    small, large = product.variants.order_by("pk")
    stock_reserve(lines=[(small, 2), (large, 1)], reference="ORD-100")

    stock_commit(lines=[(small, 2), (large, 1)], reference="ORD-100")

    assert [_stock(small), _stock(large)] == [(3, 0), (4, 0)]
    assert _ledger(small)[-1] == ("sale", -2, -2, 3, 0, "ORD-100")
    assert Product.objects.get(pk=product.pk).units_sold == 3


def test_commit_of_the_last_units_takes_the_product_out_of_stock():
    product = ProductFactory.create(variants=1, variants__stock=1)
    variant = product.variants.get()
    stock_reserve(lines=[(variant, 1)], reference="ORD-101")

    stock_commit(lines=[(variant, 1)], reference="ORD-101")

    product.refresh_from_db()
    assert (product.in_stock, product.units_sold) == (False, 1)


def test_commit_of_units_that_were_not_reserved_is_refused():
    tee = _variant(sku="TEE-C", on_hand=5, reserved=1)

    with pytest.raises(StockError, match="Cannot sell 2 of TEE-C: only 1 reserved"):
        stock_commit(lines=[(tee, 2)], reference="ORD-102")

    assert _stock(tee) == (5, 1)
    assert Product.objects.get(pk=tee.product_id).units_sold == 0


def test_the_ledger_sums_to_the_stock_after_a_mix_of_changes():
    tee = _variant(on_hand=0)
    stock_adjust(variant=tee, quantity_change=20, reason=Reason.RESTOCK, note="")
    stock_reserve(lines=[(tee, 8)], reference="A")
    stock_release(lines=[(tee, 3)], reference="A")
    stock_commit(lines=[(tee, 5)], reference="A")
    stock_adjust(variant=tee, quantity_change=1, reason=Reason.RETURN, note="")
    stock_adjust(variant=tee, quantity_change=-2, reason=Reason.ADJUSTMENT, note="")

    totals = StockMovement.objects.filter(variant=tee).aggregate(
        on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")
    )

    assert _stock(tee) == (14, 0)
    assert totals == {"on_hand": 14, "reserved": 0}


def test_the_database_refuses_negative_stock_even_past_the_services():
    tee = _variant(on_hand=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=tee.pk).update(stock_on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=tee.pk).update(stock_reserved=2)


@pytest.mark.parametrize("withdrawn", ["variant", "product"])
def test_units_no_longer_sold_cannot_be_reserved(withdrawn):
    tee, mug = _variant(sku="TEE", on_hand=5), _variant(sku="MUG", on_hand=3)
    if withdrawn == "variant":
        Variant.objects.filter(pk=tee.pk).update(is_active=False)
    else:
        Product.objects.filter(pk=tee.product_id).update(is_active=False)

    with pytest.raises(InsufficientStock) as refused:
        stock_reserve(lines=[(tee, 1), (mug, 1)], reference="CHK-9")

    assert [(s.sku, s.requested, s.available) for s in refused.value.shortages] == [("TEE", 1, 0)]
    assert (_stock(tee), _stock(mug)) == ((5, 0), (3, 0))
