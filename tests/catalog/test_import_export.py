import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from catalog.importing import (
    CatalogImportError,
    ImportReport,
    RawRow,
    catalog_export,
    catalog_file_read,
    catalog_import,
    catalog_rows_read,
)
from catalog.models import (
    Brand,
    Category,
    Product,
    ProductImage,
    ProductOptionValue,
    ProductSpecification,
    StockMovement,
    Tag,
    Variant,
)
from catalog.seeding import demo_catalog_seed
from catalog.stock import stock_reserve
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


def import_file(name: str, *, dry_run: bool = False) -> ImportReport:
    path = FIXTURES / name
    rows = catalog_file_read(path=path, file_format="json" if name.endswith(".json") else "csv")
    return catalog_import(rows=rows, reference=f"import:{name}", dry_run=dry_run)


def csv_rows(text: str) -> list[RawRow]:
    return catalog_rows_read(stream=io.StringIO(text), file_format="csv")


def catalog_empty() -> None:
    StockMovement.objects.all().delete()
    ProductImage.objects.all().delete()
    Product.objects.all().delete()
    for depth in sorted(set(Category.objects.values_list("depth", flat=True)), reverse=True):
        Category.objects.filter(depth=depth).delete()
    Brand.objects.all().delete()
    Tag.objects.all().delete()


def test_import_csv_creates_products_variants_and_their_references() -> None:
    report = import_file("catalog_good.csv")

    jacket = Product.objects.get(slug="wool-jacket")
    assert jacket.title == "Wool Jacket"
    assert jacket.description_html.startswith("<p>A <strong>warm</strong> jacket.</p>")
    assert (jacket.is_active, jacket.is_featured) == (True, True)
    assert jacket.brand is not None
    assert jacket.brand.name == "Northwind"
    assert [c.name for c in jacket.categories.all()] == ["Jackets"]
    assert jacket.categories.get().parent.name == "Clothing"  # type: ignore[union-attr]
    assert sorted(t.name for t in jacket.tags.all()) == ["winter", "wool"]
    assert list(jacket.options.values_list("name", flat=True)) == ["Size", "Colour"]
    variants = {v.sku: v for v in jacket.variants.all()}
    assert list(variants) == ["WJ-M-RED", "WJ-L-RED", "WJ-M-NAVY"]
    red_m = variants["WJ-M-RED"]
    assert (red_m.price, red_m.compare_at_price, red_m.weight_grams, red_m.barcode) == (
        Decimal("129.00"),
        Decimal("159.00"),
        900,
        "4006381333931",
    )
    assert sorted(v.value for v in red_m.option_values.all()) == ["M", "Red"]
    assert (variants["WJ-M-NAVY"].is_active, variants["WJ-M-NAVY"].compare_at_price) == (False, None)
    # Listing columns from the active variants only.
    assert (jacket.price_min, jacket.price_max, jacket.in_stock) == (
        Decimal("129.00"),
        Decimal("129.00"),
        True,
    )
    mug = Product.objects.get(slug="travel-mug")
    assert sorted(c.name for c in mug.categories.all()) == ["Gifts", "Tableware"]
    assert mug.options.count() == 0
    assert (report.products_created, report.variants_created, report.stock_movements) == (2, 4, 3)


def test_import_stock_goes_through_the_ledger_with_the_file_as_reference() -> None:
    import_file("catalog_good.csv")

    movements = StockMovement.objects.order_by("variant__sku").values_list(
        "variant__sku", "reason", "on_hand_change", "on_hand_after", "reference"
    )
    assert list(movements) == [
        ("MUG-1", "adjustment", 12, 12, "import:catalog_good.csv"),
        ("WJ-M-NAVY", "adjustment", 2, 2, "import:catalog_good.csv"),
        ("WJ-M-RED", "adjustment", 5, 5, "import:catalog_good.csv"),
    ]


def test_importing_the_same_file_again_changes_nothing() -> None:
    import_file("catalog_good.csv")

    report = import_file("catalog_good.csv")

    assert (report.products_unchanged, report.variants_unchanged, report.stock_movements) == (2, 4, 0)
    assert (Product.objects.count(), Variant.objects.count(), StockMovement.objects.count()) == (2, 4, 3)
    assert (Category.objects.count(), Brand.objects.count(), Tag.objects.count()) == (5, 2, 2)


def test_import_updates_variants_by_sku_and_adjusts_stock_by_the_difference() -> None:
    import_file("catalog_good.csv")
    rows = csv_rows(
        "product_slug,sku,price,compare_at_price,stock_on_hand,options\n"
        "wool-jacket,WJ-M-RED,119.00,,2,Size=M; Colour=Red\n"
        "wool-jacket,WJ-XL-RED,139.00,,4,Size=XL; Colour=Red\n"
    )

    report = catalog_import(rows=rows, reference="import:update.csv")

    red_m = Variant.objects.get(sku="WJ-M-RED")
    assert (red_m.price, red_m.compare_at_price, red_m.stock_on_hand) == (Decimal("119.00"), None, 2)
    assert red_m.weight_grams == 900  # a column the file does not have is left alone
    last = StockMovement.objects.filter(variant=red_m).order_by("-pk").first()
    assert last is not None
    assert (last.on_hand_change, last.on_hand_after, last.reference) == (-3, 2, "import:update.csv")
    new = Variant.objects.get(sku="WJ-XL-RED")
    assert (new.product.slug, new.position, new.stock_on_hand) == ("wool-jacket", 3, 4)
    assert sorted(v.value for v in new.option_values.all()) == ["Red", "XL"]
    assert ProductOptionValue.objects.filter(option__name="Size", value="XL").count() == 1
    assert (report.variants_updated, report.variants_created, report.products_unchanged) == (1, 1, 1)
    assert Product.objects.get(slug="wool-jacket").price_min == Decimal("119.00")


def test_bad_rows_are_all_reported_by_row_and_field_and_nothing_is_written() -> None:
    with pytest.raises(CatalogImportError) as raised:
        import_file("catalog_bad.csv")

    assert [str(error) for error in raised.value.errors] == [
        "row 3, price: 'abc' is not a number",
        "row 4, stock_on_hand: '-2' is not a whole number of zero or more",
        "row 5, options: 'Size' is not Name=Value (e.g. 'Size=M; Colour=Red')",
        "row 6, sku: 'GOOD-1' is also on row 2",
        "row 7, product_slug: 'bad slug!' is not a slug (letters, digits, - and _)",
        "row 7, variant_active: 'maybe' is not true or false",
        "row 8, product_title: is required for a new product",
    ]
    # Row 2 was good, and was not written either: all rows or none.
    assert (Product.objects.count(), Variant.objects.count(), StockMovement.objects.count()) == (0, 0, 0)


def test_stock_below_what_checkouts_reserved_is_refused_and_nothing_is_written() -> None:
    import_file("catalog_good.csv")
    variant = Variant.objects.get(sku="MUG-1")
    stock_reserve(lines={variant.pk: 10}, reference="checkout-1")
    rows = csv_rows(
        "product_slug,product_title,sku,price,stock_on_hand\n"
        "new-thing,New Thing,NEW-1,5.00,3\n"
        "travel-mug,Travel Mug,MUG-1,14.50,4\n"
    )

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(rows=rows, reference="import:x.csv")

    assert [str(error) for error in raised.value.errors] == [
        "row 3, stock_on_hand: 4 is below the 10 units reserved for checkouts"
    ]
    assert not Product.objects.filter(slug="new-thing").exists()


def test_a_sku_of_another_product_is_refused() -> None:
    ProductFactory.create(slug="kettle")
    sku = Variant.objects.get().sku
    rows = csv_rows(f"product_slug,product_title,sku,price\nteapot,Teapot,{sku},20.00\n")

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(rows=rows, reference="import:x.csv")

    assert [str(error) for error in raised.value.errors] == [
        f"row 2, sku: '{sku}' belongs to product 'kettle'"
    ]


def test_rows_of_one_product_must_agree_on_product_columns_and_option_names() -> None:
    rows = csv_rows(
        "product_slug,product_title,sku,price,options\n"
        "mug,Mug,MUG-S,5.00,Size=S\n"
        "mug,Big Mug,MUG-L,6.00,Colour=Red\n"
        "mug,Mug,MUG-S2,6.00,Size=S\n"
    )

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(rows=rows, reference="import:x.csv")

    assert [str(error) for error in raised.value.errors] == [
        "row 3, product_title: differs from row 2 of the same product",
        "row 3, options: names other options than row 2 of the same product (Size)",
        "row 4, options: Size=S is also on row 2 of the same product",
    ]


def test_unknown_and_missing_columns_are_reported_for_the_file() -> None:
    with pytest.raises(CatalogImportError) as raised:
        csv_rows("product_slug,prize\nmug,5\n")

    assert [str(error) for error in raised.value.errors] == [
        "file, prize: unknown column",
        "file, sku: required column is missing",
    ]


def test_dry_run_reports_what_would_change_and_writes_nothing() -> None:
    report = import_file("catalog_good.csv", dry_run=True)

    assert (report.products_created, report.variants_created, report.stock_movements) == (2, 4, 3)
    assert report.dry_run is True
    assert (Product.objects.count(), Variant.objects.count(), StockMovement.objects.count()) == (0, 0, 0)
    assert (Category.objects.count(), Brand.objects.count(), Tag.objects.count()) == (0, 0, 0)


def test_import_json_with_typed_values() -> None:
    report = import_file("catalog_good.json")

    lamp = Product.objects.get(slug="desk-lamp")
    white = Variant.objects.get(sku="LAMP-WHT")
    assert (white.price, white.compare_at_price, white.weight_grams, white.is_active) == (
        Decimal("52.00"),
        Decimal("60.00"),
        1200,
        False,
    )
    assert [c.name for c in lamp.categories.all()] == ["Lighting"]
    assert sorted(t.name for t in lamp.tags.all()) == ["new", "office"]
    assert (report.products_created, report.variants_created) == (1, 2)


def test_json_rows_are_numbered_from_one() -> None:
    rows = catalog_rows_read(
        stream=io.StringIO(
            json.dumps([{"product_slug": "a", "sku": "A", "price": "x", "product_title": "A"}])
        ),
        file_format="json",
    )

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(rows=rows, reference="import:x.json")

    assert [str(error) for error in raised.value.errors] == ["row 1, price: 'x' is not a number"]


def _catalog_for_round_trip() -> None:
    demo_catalog_seed(products=12)
    jackets = CategoryFactory.create(name="Coats, Jackets", slug="coats")
    product = ProductFactory.create(
        slug="odd-one",
        title='Quotes "and", commas',
        description="Line one\n\nLine two, with *Markdown* and ünïcode",
        brand=BrandFactory.create(name="Brand, Inc."),
        variants=1,
    )
    product.categories.add(jackets)
    product.tags.add(TagFactory.create(name="zeta"), TagFactory.create(name="alpha"))


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_import_export_gives_the_same_file(file_format: str) -> None:
    _catalog_for_round_trip()
    first = io.StringIO()
    rows_written = catalog_export(stream=first, file_format=file_format)  # type: ignore[arg-type]
    catalog_empty()
    assert Product.objects.count() == 0

    catalog_import(
        rows=catalog_rows_read(stream=io.StringIO(first.getvalue()), file_format=file_format),  # type: ignore[arg-type]
        reference="import:round-trip",
    )
    second = io.StringIO()
    catalog_export(stream=second, file_format=file_format)  # type: ignore[arg-type]

    assert rows_written == Variant.objects.count()
    assert second.getvalue() == first.getvalue()


def test_import_command_lists_bad_rows_and_fails() -> None:
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 6 rows with problems"):
        call_command("import_catalog", str(FIXTURES / "catalog_bad.csv"), "--no-progress", stderr=err)

    assert "row 3, price: 'abc' is not a number" in err.getvalue()
    assert Product.objects.count() == 0


def test_import_command_dry_run_and_export_command(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "import_catalog", str(FIXTURES / "catalog_good.csv"), "--dry-run", "--no-progress", stdout=out
    )
    assert "Dry run (nothing written): 4 rows: products 2 created" in out.getvalue()
    assert Product.objects.count() == 0

    call_command("import_catalog", str(FIXTURES / "catalog_good.csv"), "--no-progress", stdout=io.StringIO())
    target = tmp_path / "export.json"
    out = io.StringIO()
    call_command("export_catalog", str(target), "--no-progress", stdout=out)

    assert out.getvalue().strip() == f"4 rows written to {target}."
    exported = json.loads(target.read_text())
    assert [row["sku"] for row in exported] == ["MUG-1", "WJ-M-RED", "WJ-L-RED", "WJ-M-NAVY"]
    assert exported[1]["options"] == {"Size": "M", "Colour": "Red"}


def test_seeded_products_have_specifications_the_format_leaves_alone() -> None:
    # Specifications and images are not part of the format: an import that
    # updates a product keeps them.
    demo_catalog_seed(products=1)
    product = Product.objects.get()
    specifications = ProductSpecification.objects.filter(product=product).count()
    buffer = io.StringIO()
    catalog_export(stream=buffer, file_format="csv")

    catalog_import(rows=csv_rows(buffer.getvalue()), reference="import:again")

    assert specifications >= 3
    assert ProductSpecification.objects.filter(product=product).count() == specifications
    assert ProductImage.objects.filter(product=product).count() >= 1


def test_json_numbers_are_read_exactly_never_as_floats() -> None:
    text = '[{"product_slug": "a", "product_title": "A", "sku": "A-1", "price": 19.99},'
    text += ' {"product_slug": "a", "sku": "A-2", "price": 0.30000000000000004}]'
    rows = catalog_rows_read(stream=io.StringIO(text), file_format="json")

    with pytest.raises(CatalogImportError) as raised:
        catalog_import(rows=rows, reference="import:x.json")

    assert rows[0].cells["price"] == Decimal("19.99")
    assert [error.field for error in raised.value.errors] == ["price"]
    assert "0.30000000000000004" in str(raised.value.errors[0])
