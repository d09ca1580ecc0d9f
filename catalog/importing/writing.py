"""Writing checked rows: products by slug, variants by SKU, all or none."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.utils.text import slugify

from catalog.importing.rows import (
    CatalogImportError,
    ImportReport,
    ParsedRow,
    Progress,
    RawRow,
    RowError,
    row_parse,
    rows_check,
)
from catalog.locks import variants_lock
from catalog.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    ProductOptionValue,
    StockMovement,
    Tag,
    Variant,
)
from catalog.search import search_vector_refresh
from catalog.services import category_save, product_listing_refresh, product_save
from catalog.stock import StockError, stock_adjust


class _DryRun(Exception):
    pass


def catalog_import(
    *,
    rows: Sequence[RawRow],
    reference: str,
    dry_run: bool = False,
    by: AbstractBaseUser | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update the products and variants of these rows, all or
    none. Raises ``CatalogImportError`` listing every bad row; nothing is
    written then. ``reference`` goes on the stock ledger rows (at most 64
    characters, e.g. "import:catalog.csv")."""
    errors: list[RowError] = []
    parsed = [row for raw in rows if (row := row_parse(raw, errors)) is not None]
    # The rows that parsed are checked together even when others did not, so
    # that one report lists every problem.
    rows_check(parsed, errors)
    if errors:
        raise CatalogImportError(sorted(errors, key=lambda error: error.row))
    report = ImportReport(rows=len(parsed), dry_run=dry_run)
    try:
        with transaction.atomic():
            _rows_write(parsed, report=report, reference=reference[:64], by=by, progress=progress)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


@dataclass
class _Lookups:
    brands: dict[str, Brand] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    categories: dict[tuple[str, ...], Category] = field(default_factory=dict)


def _unique_slug(model: type[Brand | Tag | Category], base: str, taken: set[str]) -> str:
    base = base or model.__name__.lower()
    slug, n = base, 1
    while slug in taken or model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _references_resolve(rows: Iterable[ParsedRow]) -> _Lookups:
    """Brands, tags and categories by name, created when missing."""
    lookups = _Lookups()
    taken: set[str] = set()
    brand_names = {row.product["brand"] for row in rows if row.product.get("brand")}
    tag_names = {tag for row in rows for tag in row.product.get("tags", ())}
    paths = {path for row in rows for path in row.product.get("categories", ())}
    lookups.brands = {brand.name: brand for brand in Brand.objects.filter(name__in=brand_names)}
    for name in sorted(brand_names - set(lookups.brands)):
        lookups.brands[name] = Brand.objects.create(name=name, slug=_unique_slug(Brand, slugify(name), taken))
    lookups.tags = {tag.name: tag for tag in Tag.objects.filter(name__in=tag_names)}
    for name in sorted(tag_names - set(lookups.tags)):
        lookups.tags[name] = Tag.objects.create(name=name, slug=_unique_slug(Tag, slugify(name), taken))
    by_parent: dict[tuple[int | None, str], Category] = {
        (category.parent_id, category.name): category for category in Category.objects.all()
    }
    for path in sorted(paths):
        parent: Category | None = None
        for depth in range(1, len(path) + 1):
            name = path[depth - 1]
            category = by_parent.get((parent.pk if parent else None, name))
            if category is None:
                base = slugify(name) if parent is None else f"{parent.slug}-{slugify(name)}"
                category = category_save(
                    category=Category(name=name, parent=parent, slug=_unique_slug(Category, base, taken))
                )
                by_parent[(category.parent_id, name)] = category
            lookups.categories[path[:depth]] = category
            parent = category
    return lookups


def _assign(instance: Product | Variant, values: Mapping[str, Any]) -> bool:
    changed = False
    for attribute, value in values.items():
        if getattr(instance, attribute) != value:
            setattr(instance, attribute, value)
            changed = True
    return changed


@dataclass
class _Writer:
    """The state of one import while it writes."""

    report: ImportReport
    reference: str
    by: AbstractBaseUser | None
    lookups: _Lookups
    products: dict[str, Product]
    variants: dict[str, Variant]
    # {product id: {option name: (option, {value: option value})}}
    options: dict[int, dict[str, tuple[ProductOption, dict[str, ProductOptionValue]]]] = field(
        default_factory=dict
    )
    next_position: dict[int, int] = field(default_factory=dict)

    def product(self, row: ParsedRow) -> Product:
        product = self.products.get(row.slug)
        is_new = product is None
        if product is None:
            product = Product(slug=row.slug)
        values = {k: v for k, v in row.product.items() if k not in ("brand", "categories", "tags")}
        changed = _assign(product, values)
        if "brand" in row.product:
            brand = self.lookups.brands[row.product["brand"]] if row.product["brand"] else None
            if product.brand_id != (brand.pk if brand else None):
                product.brand = brand
                changed = True
        if is_new or changed:
            product_save(product=product)
        for attribute, wanted in (
            ("categories", {self.lookups.categories[path].pk for path in row.product.get("categories", ())}),
            ("tags", {self.lookups.tags[name].pk for name in row.product.get("tags", ())}),
        ):
            if attribute not in row.product:
                continue
            manager = getattr(product, attribute)
            current = set() if is_new else {item.pk for item in manager.all()}
            if current != wanted:
                manager.set(sorted(wanted))
                changed = True
        self.products[row.slug] = product
        if is_new:
            self.report.products_created += 1
            self.options[product.pk] = {}
            self.next_position[product.pk] = 0
        elif changed:
            self.report.products_updated += 1
        else:
            self.report.products_unchanged += 1
        return product

    def option_value_ids(self, product: Product, pairs: list[tuple[str, str]]) -> set[int]:
        if product.pk not in self.options:
            self.options[product.pk] = {
                option.name: (option, {value.value: value for value in option.values.all()})
                for option in product.options.all()
            }
        options = self.options[product.pk]
        ids = set()
        for name, value in pairs:
            if name not in options:
                option = ProductOption.objects.create(product=product, name=name, position=len(options))
                options[name] = (option, {})
            option, values = options[name]
            if value not in values:
                values[value] = ProductOptionValue.objects.create(
                    option=option, value=value, position=len(values)
                )
            ids.add(values[value].pk)
        return ids

    def variant(self, row: ParsedRow, product: Product) -> None:
        variant = self.variants.get(row.sku)
        is_new = variant is None
        if variant is None:
            if product.pk not in self.next_position:
                last = product.variants.aggregate(last=Max("position"))["last"]
                self.next_position[product.pk] = 0 if last is None else last + 1
            variant = Variant(product=product, sku=row.sku, position=self.next_position[product.pk])
            self.next_position[product.pk] += 1
        changed = _assign(variant, row.variant)
        if is_new or changed:
            variant.save()
        if row.options is not None:
            wanted = self.option_value_ids(product, row.options)
            current = set() if is_new else {value.pk for value in variant.option_values.all()}
            if wanted != current:
                variant.option_values.set(sorted(wanted))
                changed = True
        if row.stock is not None and row.stock != variant.stock_on_hand:
            try:
                stock_adjust(
                    variant=variant,
                    quantity_change=row.stock - variant.stock_on_hand,
                    reason=StockMovement.Reason.ADJUSTMENT,
                    note="Catalog import",
                    reference=self.reference,
                    by=self.by,
                )
            except StockError as exc:
                raise CatalogImportError([RowError(row.number, "stock_on_hand", str(exc))]) from exc
            self.report.stock_movements += 1
            changed = True
        if is_new:
            self.report.variants_created += 1
            self.report.created_skus.append(row.sku)
        elif changed:
            self.report.variants_updated += 1
            self.report.updated_skus.append(row.sku)
        else:
            self.report.variants_unchanged += 1


def _rows_write(
    rows: list[ParsedRow],
    *,
    report: ImportReport,
    reference: str,
    by: AbstractBaseUser | None,
    progress: Progress | None,
) -> None:
    lookups = _references_resolve(rows)
    existing = Variant.objects.filter(sku__in=[row.sku for row in rows]).values_list("pk", flat=True)
    # Stock is set from what is on hand now: lock the variants (in primary-key
    # order) so no checkout changes them between the read and the adjustment.
    locked = variants_lock(variant_ids=existing)
    prefetch_related_objects(list(locked.values()), "option_values")
    products = Product.objects.filter(slug__in={row.slug for row in rows}).prefetch_related(
        "categories", "tags", Prefetch("options", queryset=ProductOption.objects.prefetch_related("values"))
    )
    writer = _Writer(
        report=report,
        reference=reference,
        by=by,
        lookups=lookups,
        products={product.slug: product for product in products},
        variants={variant.sku: variant for variant in locked.values()},
    )
    seen: set[str] = set()
    for done, row in enumerate(rows, start=1):
        if row.slug in seen:
            product = writer.products[row.slug]
        else:
            seen.add(row.slug)
            product = writer.product(row)
        writer.variant(row, product)
        if progress is not None:
            progress(done, len(rows))
    product_ids = sorted({product.pk for product in writer.products.values()})
    product_listing_refresh(product_ids=product_ids)
    search_vector_refresh(product_ids=product_ids)
