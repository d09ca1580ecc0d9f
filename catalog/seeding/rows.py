"""Writing a batch of demo products: their plans turned into plain rows, with
primary keys allocated up front so that children point at their parents
without a round trip per row, inserted with COPY on PostgreSQL."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from catalog.models import (
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    ProductSpecification,
    StockMovement,
    Variant,
)
from catalog.search import search_vector_refresh
from catalog.seeding.plans import product_plan
from catalog.seeding.reference import Reference

SEED_REFERENCE = "seed_demo"


def _ids_allocate(model: type[Model], count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so that children can point
    at their parents without a round trip per row."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock, so max(id) is ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))


def _column(field: object) -> str:
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{field} is not a column.")
    return field.column


def _rows_insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows: COPY on PostgreSQL (several times faster than
    bulk_create with model instances), executemany elsewhere."""
    if not rows:
        return
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(_column(meta.get_field(name))) for name in fields)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def products_create(*, indices: Sequence[int], seed: int, reference: Reference) -> tuple[int, int]:
    """Write the products ``indices`` with all their rows (one COPY per table
    on PostgreSQL) and their search vectors: the number of products and of
    variants created."""
    plans = [product_plan(index=i, seed=seed, reference=reference) for i in indices]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    product_ids = _ids_allocate(Product, len(plans))
    option_ids = iter(_ids_allocate(ProductOption, sum(len(p.options) for p in plans)))
    value_ids = iter(_ids_allocate(ProductOptionValue, sum(len(v) for p in plans for _, v in p.options)))
    variant_count = sum(len(p.variants) for p in plans)
    variant_ids = iter(_ids_allocate(Variant, variant_count))

    products, categories, tags, options, values, variants, variant_values = [], [], [], [], [], [], []
    movements, specifications, images = [], [], []
    for product_id, plan in zip(product_ids, plans, strict=True):
        prices = [v.price for v in plan.variants]
        # The listing columns, as product_listing_refresh computes them.
        in_stock = any(v.stock > 0 for v in plan.variants)
        products.append(
            (product_id, plan.title, plan.slug, plan.description, plan.description_html, plan.brand_id,
             plan.seo_title, plan.seo_description, plan.is_active, plan.is_featured, now, now,
             min(prices), max(prices), in_stock, plan.units_sold, 0)
        )  # fmt: skip
        categories += [(product_id, category_id) for category_id in plan.category_ids]
        tags += [(product_id, tag_id) for tag_id in plan.tag_ids]
        plan_value_ids: dict[tuple[int, int], int] = {}
        for o, (name, option_values) in enumerate(plan.options):
            option_id = next(option_ids)
            options.append((option_id, product_id, name, o))
            for v, value in enumerate(option_values):
                plan_value_ids[o, v] = next(value_ids)
                values.append((plan_value_ids[o, v], option_id, value, v))
        plan_variant_ids = []
        for position, variant in enumerate(plan.variants):
            variant_id = next(variant_ids)
            plan_variant_ids.append(variant_id)
            variants.append(
                (variant_id, product_id, variant.sku, variant.barcode, variant.price,
                 variant.compare_at_price, plan.weight, True, position, variant.stock, 0, 5)
            )  # fmt: skip
            variant_values += [(variant_id, plan_value_ids[key]) for key in variant.combination]
            if variant.stock:
                # The ledger starts true: every unit on hand arrived as a restock.
                movements.append(
                    (variant_id, StockMovement.Reason.RESTOCK.value, variant.stock, 0, variant.stock, 0,
                     "Demo catalog", SEED_REFERENCE, now)
                )  # fmt: skip
        specifications += [
            (product_id, name, value, n) for n, (name, value) in enumerate(plan.specifications)
        ]
        images += [
            (product_id, plan_variant_ids[shown] if shown is not None else None, image.name, image.width,
             image.height, alt, n, json.dumps(image.renditions))
            for n, (image, shown, alt) in enumerate(plan.images)
        ]  # fmt: skip

    _rows_insert(
        Product,
        ("id", "title", "slug", "description", "description_html", "brand", "seo_title", "seo_description",
         "is_active", "is_featured", "created_at", "updated_at", "price_min", "price_max", "in_stock",
         "units_sold", "rating_count"),
        products,
    )  # fmt: skip
    categories_through, tags_through = Product.categories.through, Product.tags.through
    _rows_insert(categories_through, ("product", "category"), categories)
    _rows_insert(tags_through, ("product", "tag"), tags)
    _rows_insert(ProductOption, ("id", "product", "name", "position"), options)
    _rows_insert(ProductOptionValue, ("id", "option", "value", "position"), values)
    _rows_insert(
        Variant,
        ("id", "product", "sku", "barcode", "price", "compare_at_price", "weight_grams", "is_active",
         "position", "stock_on_hand", "stock_reserved", "low_stock_threshold"),
        variants,
    )  # fmt: skip
    _rows_insert(Variant.option_values.through, ("variant", "productoptionvalue"), variant_values)
    _rows_insert(
        StockMovement,
        ("variant", "reason", "on_hand_change", "reserved_change", "on_hand_after", "reserved_after", "note",
         "reference", "created_at"),
        movements,
    )  # fmt: skip
    _rows_insert(ProductSpecification, ("product", "name", "value", "position"), specifications)
    _rows_insert(
        ProductImage,
        ("product", "variant", "image", "width", "height", "alt_text", "position", "renditions"),
        images,
    )
    # The stored search vectors, set-based for the whole batch.
    search_vector_refresh(product_ids=product_ids)
    return len(plans), variant_count
