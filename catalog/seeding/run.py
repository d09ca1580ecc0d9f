"""A run of the demo seeding: the shared rows first, then the products in
batches of ``BATCH_SIZE``, one transaction each, skipping those already
there, and fresh planner statistics at the end."""

import time
from collections.abc import Callable, Sequence

from django.db import connection, transaction

from catalog.models import Product, ProductImage, Variant
from catalog.seeding.plans import sku_index, variant_sku
from catalog.seeding.reference import reference_rows_ensure
from catalog.seeding.result import DemoSeedResult
from catalog.seeding.rows import products_create

BATCH_SIZE = 1000

type Progress = Callable[[int, int], None]


def demo_catalog_seed(*, products: int, seed: int = 1, progress: Progress | None = None) -> DemoSeedResult:
    """Make sure the demo catalog has products 1..``products``; create the
    missing ones. ``progress(done, total)`` is called after every batch."""
    if products < 0:
        raise ValueError("The number of products cannot be negative.")
    started = time.monotonic()
    result = DemoSeedResult()
    reference = reference_rows_ensure(result=result)
    done = 0
    for start in range(1, products + 1, BATCH_SIZE):
        indices = range(start, min(start + BATCH_SIZE, products + 1))
        with transaction.atomic():
            existing = _existing_indices(indices)
            missing = [i for i in indices if i not in existing]
            result.products_existing += len(existing)
            if missing:
                created, variants = products_create(indices=missing, seed=seed, reference=reference)
                result.products_created += created
                result.variants_created += variants
        done += len(indices)
        if progress is not None:
            progress(done, products)
    if result.products_created and connection.vendor == "postgresql":
        # Fresh planner statistics: without them PostgreSQL plans the pages'
        # queries for the empty tables it last saw, until autovacuum comes by.
        with connection.cursor() as cursor:
            for model in (Product, Variant, ProductImage, Product.categories.through, Product.tags.through):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


def _existing_indices(indices: Sequence[int]) -> set[int]:
    """Which of the products ``indices`` exist already (by their first SKU)."""
    skus = Variant.objects.filter(sku__in=[variant_sku(i, 1) for i in indices]).values_list("sku", flat=True)
    return {sku_index(sku) for sku in skus}
