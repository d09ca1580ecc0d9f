"""Catalog import and export: one row per variant, in CSV or JSON.

An import creates or updates products by slug and variants by SKU, all rows
or none: every row is validated first, and when any row is wrong nothing is
written and ``CatalogImportError`` lists every problem as "row 7, price: 'abc'
is not a number". Rows are numbered as a spreadsheet shows them (the CSV
header is row 1, so the first product is row 2); in JSON, row 1 is the
first object of the list. A dry run does the whole import in a transaction
that is rolled back, so its report is exact and nothing stays.

Stock changes go through ``catalog.stock.stock_adjust`` (reason
``adjustment``, reference ``import:<file name>``), so the ledger stays true.
``catalog_export`` writes the same format, so export, import and export
again give the same file.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, TextIO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.utils.text import slugify

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

type Format = Literal["csv", "json"]
type Progress = Callable[[int, int], None]

FORMATS: tuple[Format, ...] = ("csv", "json")
# Product columns repeat on every row of the product's variants.
PRODUCT_COLUMNS = (
    "product_slug",
    "product_title",
    "product_description",
    "product_seo_title",
    "product_seo_description",
    "product_active",
    "product_featured",
    "brand",
    "categories",
    "tags",
)
VARIANT_COLUMNS = (
    "options",
    "sku",
    "barcode",
    "price",
    "compare_at_price",
    "weight_grams",
    "stock_on_hand",
    "low_stock_threshold",
    "variant_active",
)
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
REQUIRED_COLUMNS = ("product_slug", "sku")
LIST_SEPARATOR = ";"
PATH_SEPARATOR = ">"
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}
_MISSING = object()


@dataclass(frozen=True)
class RowError:
    row: int  # 0 for a problem with the whole file
    field: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"file, {self.field}: {self.message}" if self.field else f"file: {self.message}"
        return f"row {self.row}, {self.field}: {self.message}"


class CatalogImportError(Exception):
    """The file cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class ImportReport:
    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_unchanged: int = 0
    stock_movements: int = 0
    dry_run: bool = False
    created_skus: list[str] = field(default_factory=list)
    updated_skus: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RawRow:
    """A row as read from the file: its number and its cells by column
    (strings from CSV; strings, numbers, booleans, lists or objects from JSON)."""

    number: int
    cells: Mapping[str, Any]


# --- Reading and writing files --------------------------------------------------


def format_for(*, path: Path | str, requested: str | None = None) -> Format:
    """The format asked for, else the file's extension."""
    name = (requested or Path(path).suffix.lstrip(".")).lower()
    if name == "csv":
        return "csv"
    if name == "json":
        return "json"
    raise CatalogImportError([RowError(0, "", f"unknown format {name!r}: use --format csv or json")])


def catalog_rows_read(*, stream: TextIO, file_format: Format) -> list[RawRow]:
    """The rows of a CSV (with a header row) or JSON (a list of objects) file."""
    if file_format == "json":
        try:
            data = json.load(stream)
        except json.JSONDecodeError as exc:
            raise CatalogImportError([RowError(0, "", f"not valid JSON: {exc}")]) from exc
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise CatalogImportError([RowError(0, "", "the JSON must be a list of objects, one per variant")])
        rows = [RawRow(number, item) for number, item in enumerate(data, start=1)]
        columns = {key for row in rows for key in row.cells}
    else:
        reader = csv.DictReader(stream)
        columns = set(reader.fieldnames or ())
        try:
            # The header is row 1, as a spreadsheet numbers it.
            rows = [RawRow(number, row) for number, row in enumerate(reader, start=2)]
        except csv.Error as exc:
            raise CatalogImportError([RowError(0, "", f"not valid CSV: {exc}")]) from exc
    errors = [RowError(0, column, "unknown column") for column in sorted(columns - set(COLUMNS))]
    missing = [column for column in REQUIRED_COLUMNS if column not in columns] if rows else []
    errors += [RowError(0, column, "required column is missing") for column in missing]
    if errors:
        raise CatalogImportError(errors)
    return rows


def catalog_file_read(*, path: Path, file_format: Format) -> list[RawRow]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return catalog_rows_read(stream=stream, file_format=file_format)
    except UnicodeDecodeError as exc:
        raise CatalogImportError([RowError(0, "", f"not UTF-8 text: {exc.reason}")]) from exc


# --- Cells ------------------------------------------------------------------------


class _CellError(ValueError):
    pass


def _text(value: Any, *, max_length: int, strip: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _CellError(f"{value!r} is not text")
    text = str(value)
    text = text.strip() if strip else text
    if len(text) > max_length:
        raise _CellError(f"is {len(text)} characters long, at most {max_length} are allowed")
    return text


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError(f"{value!r} is not true or false")


def _decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _CellError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _CellError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise _CellError(f"{value!r} is not a number")
    if number < 0:
        raise _CellError(f"{value!r} is below zero")
    if number != number.quantize(Decimal("0.01")):
        raise _CellError(f"{value!r} has more than two decimal places")
    if number >= Decimal("1e10"):
        raise _CellError(f"{value!r} is too large")
    return number.quantize(Decimal("0.01"))


def _whole(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _CellError(f"{value!r} is not a whole number")
    text = str(value).strip()
    if not text.isdigit():
        raise _CellError(f"{value!r} is not a whole number of zero or more")
    number = int(text)
    if number > 2_147_483_647:
        raise _CellError(f"{value!r} is too large")
    return number


def _list(value: Any) -> list[str]:
    """A list from JSON, or "a; b; c" from CSV."""
    if value is None:
        return []
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise _CellError("must be a list of text")
        items = value
    elif isinstance(value, str):
        items = value.split(LIST_SEPARATOR)
    else:
        raise _CellError(f"{value!r} is not a list")
    return [item.strip() for item in items if item.strip()]


def _names(value: Any, *, max_length: int, what: str) -> list[str]:
    names = _list(value)
    for name in names:
        if len(name) > max_length:
            raise _CellError(f"{what} {name!r} is longer than {max_length} characters")
    return list(dict.fromkeys(names))


def _category_paths(value: Any) -> list[tuple[str, ...]]:
    paths = []
    for item in _list(value):
        names = tuple(name.strip() for name in item.split(PATH_SEPARATOR))
        if not all(names):
            raise _CellError(f"{item!r} has an empty category name; write paths like 'Clothing > Jackets'")
        for name in names:
            if len(name) > 120:
                raise _CellError(f"category {name!r} is longer than 120 characters")
        paths.append(names)
    return list(dict.fromkeys(paths))


def _options(value: Any) -> list[tuple[str, str]]:
    """[("Size", "M"), ("Colour", "Red")] from {"Size": "M", ...} or "Size=M; Colour=Red"."""
    if value is None:
        return []
    if isinstance(value, dict):
        pairs = [(str(name).strip(), str(option).strip()) for name, option in value.items()]
    elif isinstance(value, str):
        pairs = []
        for item in _list(value):
            name, equals, option = item.partition("=")
            if not equals:
                raise _CellError(f"{item!r} is not Name=Value (e.g. 'Size=M; Colour=Red')")
            pairs.append((name.strip(), option.strip()))
    else:
        raise _CellError(f"{value!r} is not a list of Name=Value")
    for name, option in pairs:
        if not name or not option:
            raise _CellError(f"'{name}={option}' needs both a name and a value")
        if len(name) > 40 or len(option) > 40:
            raise _CellError(f"'{name}={option}': names and values have at most 40 characters")
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise _CellError("names an option twice")
    return pairs


# --- Validation -------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    slug: str
    sku: str
    product: dict[str, Any]  # only the product columns the row has
    variant: dict[str, Any]  # only the variant columns the row has
    options: list[tuple[str, str]] | None
    stock: int | None


# column: (attribute, parser)
_PRODUCT_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "product_title": ("title", lambda v: _text(v, max_length=200)),
    "product_description": ("description", lambda v: _text(v, max_length=100_000, strip=False)),
    "product_seo_title": ("seo_title", lambda v: _text(v, max_length=70)),
    "product_seo_description": ("seo_description", lambda v: _text(v, max_length=160)),
    "product_active": ("is_active", _bool),
    "product_featured": ("is_featured", _bool),
    "brand": ("brand", lambda v: _text(v, max_length=120)),
    "categories": ("categories", _category_paths),
    "tags": ("tags", lambda v: _names(v, max_length=60, what="tag")),
}
_VARIANT_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "barcode": ("barcode", lambda v: _text(v, max_length=64)),
    "price": ("price", _decimal),
    "compare_at_price": ("compare_at_price", _decimal),
    "weight_grams": ("weight_grams", _whole),
    "low_stock_threshold": ("low_stock_threshold", _whole),
    "variant_active": ("is_active", _bool),
}
# Empty cells of these leave the value as it is (a new row gets the default).
_EMPTY_KEEPS = {"is_active", "is_featured", "weight_grams", "low_stock_threshold"}


def _row_parse(raw: RawRow, errors: list[RowError]) -> _Row | None:
    cells, number = raw.cells, raw.number
    before = len(errors)

    def parse(column: str, parser: Callable[[Any], Any]) -> Any:
        value = cells.get(column, _MISSING)
        if value is _MISSING:
            return _MISSING
        try:
            return parser(value)
        except _CellError as exc:
            errors.append(RowError(number, column, str(exc)))
            return _MISSING

    slug = parse("product_slug", lambda v: _text(v, max_length=220))
    if slug in ("", _MISSING) and not any(e.row == number and e.field == "product_slug" for e in errors):
        errors.append(RowError(number, "product_slug", "is required"))
    elif slug is not _MISSING:
        try:
            validate_slug(slug)
        except ValidationError:
            errors.append(
                RowError(number, "product_slug", f"{slug!r} is not a slug (letters, digits, - and _)")
            )
    sku = parse("sku", lambda v: _text(v, max_length=64))
    if sku in ("", _MISSING) and not any(e.row == number and e.field == "sku" for e in errors):
        errors.append(RowError(number, "sku", "is required"))
    product: dict[str, Any] = {}
    for column, (attribute, parser) in _PRODUCT_FIELDS.items():
        value = parse(column, parser)
        if value is not _MISSING and not (value is None and attribute in _EMPTY_KEEPS):
            product[attribute] = value
    variant: dict[str, Any] = {}
    for column, (attribute, parser) in _VARIANT_FIELDS.items():
        value = parse(column, parser)
        if value is not _MISSING and not (value is None and attribute in _EMPTY_KEEPS):
            variant[attribute] = value
    if variant.get("price", "") is None:
        errors.append(RowError(number, "price", "is required"))
        del variant["price"]
    options = parse("options", _options)
    stock = parse("stock_on_hand", _whole)
    if len(errors) > before:
        return None
    return _Row(
        number=number,
        slug=slug,
        sku=sku,
        product=product,
        variant=variant,
        options=None if options is _MISSING else options,
        stock=None if stock is _MISSING else stock,
    )


def _rows_check(rows: list[_Row], errors: list[RowError]) -> None:
    """What no single row shows: repeated SKUs, products whose rows
    disagree, variants with the same options, and how rows fit the database."""
    first_row_of_sku: dict[str, int] = {}
    first_row_of_product: dict[str, _Row] = {}
    combinations: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    for row in rows:
        if row.sku in first_row_of_sku:
            errors.append(
                RowError(row.number, "sku", f"{row.sku!r} is also on row {first_row_of_sku[row.sku]}")
            )
            continue
        first_row_of_sku[row.sku] = row.number
        first = first_row_of_product.setdefault(row.slug, row)
        if first is not row:
            for column, (attribute, _parser) in _PRODUCT_FIELDS.items():
                if row.product.get(attribute, _MISSING) != first.product.get(attribute, _MISSING):
                    errors.append(
                        RowError(row.number, column, f"differs from row {first.number} of the same product")
                    )
            first_names = [name for name, _ in first.options or []]
            if [name for name, _ in row.options or []] != first_names:
                errors.append(
                    RowError(
                        row.number,
                        "options",
                        f"names other options than row {first.number} of the same product "
                        f"({', '.join(first_names) or 'none'})",
                    )
                )
                continue
        key = (row.slug, tuple(row.options or ()))
        if key in combinations:
            text = "; ".join(f"{n}={v}" for n, v in key[1]) or "no options"
            errors.append(
                RowError(
                    row.number, "options", f"{text} is also on row {combinations[key]} of the same product"
                )
            )
        else:
            combinations[key] = row.number

    # Against the database.
    variants = {
        v.sku: v
        for v in Variant.objects.filter(sku__in=list(first_row_of_sku))
        .select_related("product")
        .only("sku", "stock_on_hand", "stock_reserved", "product__slug")
    }
    products = {
        p.slug: p
        for p in Product.objects.filter(slug__in=list(first_row_of_product)).prefetch_related(
            Prefetch("options", queryset=ProductOption.objects.order_by("position", "pk"))
        )
    }
    for row in rows:
        existing = variants.get(row.sku)
        product = products.get(row.slug)
        if existing is not None and existing.product.slug != row.slug:
            errors.append(
                RowError(row.number, "sku", f"{row.sku!r} belongs to product {existing.product.slug!r}")
            )
        if existing is None and "price" not in row.variant:
            errors.append(RowError(row.number, "price", "is required for a new variant"))
        if product is None and not row.product.get("title"):
            errors.append(RowError(row.number, "product_title", "is required for a new product"))
        if existing is not None and row.stock is not None and row.stock < existing.stock_reserved:
            errors.append(
                RowError(
                    row.number,
                    "stock_on_hand",
                    f"{row.stock} is below the {existing.stock_reserved} units reserved for checkouts",
                )
            )
        if product is not None and row.options is not None:
            names = {option.name for option in product.options.all()}
            if names and names != {name for name, _ in row.options}:
                errors.append(
                    RowError(
                        row.number,
                        "options",
                        f"product {row.slug!r} has the options {', '.join(sorted(names))}; "
                        "every variant needs a value for each",
                    )
                )


# --- Import -----------------------------------------------------------------------


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
    parsed = [row for raw in rows if (row := _row_parse(raw, errors)) is not None]
    # The rows that parsed are checked together even when others did not, so
    # that one report lists every problem.
    _rows_check(parsed, errors)
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


def _references_resolve(rows: Iterable[_Row]) -> _Lookups:
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

    def product(self, row: _Row) -> Product:
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

    def variant(self, row: _Row, product: Product) -> None:
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
    rows: list[_Row],
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


# --- Export -----------------------------------------------------------------------


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
