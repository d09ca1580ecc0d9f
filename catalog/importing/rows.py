"""The catalog file format: its columns, reading CSV and JSON, and checking
every row before anything is written."""

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Prefetch

from catalog.models import (
    Product,
    ProductOption,
    Variant,
)

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
            # Amounts stay exact: JSON numbers with a fraction become Decimal.
            data = json.load(stream, parse_float=Decimal)
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
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
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
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
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
class ParsedRow:
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


def row_parse(raw: RawRow, errors: list[RowError]) -> ParsedRow | None:
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
    return ParsedRow(
        number=number,
        slug=slug,
        sku=sku,
        product=product,
        variant=variant,
        options=None if options is _MISSING else options,
        stock=None if stock is _MISSING else stock,
    )


def rows_check(rows: list[ParsedRow], errors: list[RowError]) -> None:
    """What no single row shows: repeated SKUs, products whose rows
    disagree, variants with the same options, and how rows fit the database."""
    first_row_of_sku: dict[str, int] = {}
    first_row_of_product: dict[str, ParsedRow] = {}
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
