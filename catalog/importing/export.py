"""Writing the catalog back in the import format."""

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from django.db.models import Prefetch

from catalog.importing.rows import (
    COLUMNS,
    LIST_SEPARATOR,
    PATH_SEPARATOR,
    Format,
    Progress,
)
from catalog.models import (
    Category,
    Product,
    ProductOptionValue,
    Variant,
)


def _category_paths_by_id() -> dict[int, str]:
    categories = list(Category.objects.only("pk", "name", "path"))
    names = {category.pk: category.name for category in categories}
    return {
        category.pk: f" {PATH_SEPARATOR} ".join(names[int(pk)] for pk in category.path.strip("/").split("/"))
        for category in categories
    }


def catalog_export_rows(*, progress: Progress | None = None) -> Iterator[dict[str, Any]]:
    """One dict per variant, products by slug, variants by position."""
    paths = _category_paths_by_id()
    total = Product.objects.count()
    products = (
        Product.objects.order_by("slug")
        .select_related("brand")
        .prefetch_related(
            "categories",
            "tags",
            Prefetch(
                "variants",
                queryset=Variant.objects.order_by("position", "pk").prefetch_related(
                    Prefetch(
                        "option_values",
                        queryset=ProductOptionValue.objects.select_related("option").order_by(
                            "option__position", "option__pk"
                        ),
                    )
                ),
            ),
        )
    )
    for done, product in enumerate(products.iterator(chunk_size=500), start=1):
        common = {
            "product_slug": product.slug,
            "product_title": product.title,
            "product_description": product.description,
            "product_seo_title": product.seo_title,
            "product_seo_description": product.seo_description,
            "product_active": product.is_active,
            "product_featured": product.is_featured,
            "brand": product.brand.name if product.brand else None,
            "categories": sorted(paths[category.pk] for category in product.categories.all()),
            "tags": sorted(tag.name for tag in product.tags.all()),
        }
        for variant in product.variants.all():
            yield common | {
                "options": {value.option.name: value.value for value in variant.option_values.all()},
                "sku": variant.sku,
                "barcode": variant.barcode,
                "price": str(variant.price),
                "compare_at_price": None
                if variant.compare_at_price is None
                else str(variant.compare_at_price),
                "weight_grams": variant.weight_grams,
                "stock_on_hand": variant.stock_on_hand,
                "low_stock_threshold": variant.low_stock_threshold,
                "variant_active": variant.is_active,
            }
        if progress is not None:
            progress(done, total)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"{LIST_SEPARATOR} ".join(value)
    if isinstance(value, dict):
        return f"{LIST_SEPARATOR} ".join(f"{name}={option}" for name, option in value.items())
    return str(value)


def catalog_export(*, stream: TextIO, file_format: Format, progress: Progress | None = None) -> int:
    """Write the whole catalog in the import format; returns the number of rows."""
    rows = catalog_export_rows(progress=progress)
    count = 0
    if file_format == "json":
        stream.write("[")
        for count, row in enumerate(rows, start=1):
            stream.write(",\n " if count > 1 else "\n ")
            stream.write(json.dumps(row, ensure_ascii=False))
        stream.write("\n]\n" if count else "]\n")
        return count
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _csv_cell(value) for column, value in row.items()})
        count += 1
    return count
