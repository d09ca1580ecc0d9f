import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count, Sum
from pytest_django.fixtures import Settings

from catalog.models import (
    Brand,
    Category,
    Product,
    ProductImage,
    ProductOption,
    ProductSpecification,
    StockMovement,
    Tag,
    Variant,
)
from catalog.seeding import demo_catalog_seed
from catalog.seeding.images import IMAGE_COUNT
from catalog.seeding.vocabulary import BRANDS, TAGS
from catalog.services import markdown_render, product_listing_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One media folder for the session: the demo pictures are drawn once.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
    return Path(settings.MEDIA_ROOT)


def test_seed_demo_creates_the_catalog() -> None:
    result = demo_catalog_seed(products=30)

    assert Product.objects.count() == 30
    assert result.products_created == 30
    assert (Brand.objects.count(), Tag.objects.count()) == (len(BRANDS), len(TAGS))
    # 8 departments, 3 levels deep, e.g. Home & Kitchen > Cookware > Pans.
    assert Category.objects.filter(parent=None).count() == 8
    assert Category.objects.filter(depth=2).exists()
    assert Category.objects.get(slug="home-kitchen-cookware-pans").path.count("/") == 4
    per_product = Product.objects.annotate(n=Count("variants")).values_list("n", flat=True)
    assert set(per_product) <= {1, 2, 3, 4, 5, 6}
    assert Variant.objects.count() == result.variants_created
    assert Product.objects.filter(categories__isnull=True).count() == 0
    assert ProductSpecification.objects.values("product").distinct().count() == 30


def test_seed_demo_is_idempotent_and_a_larger_n_adds_only_the_missing_products() -> None:
    demo_catalog_seed(products=30)
    first = dict(Product.objects.values_list("slug", "pk"))
    variants = Variant.objects.count()

    again = demo_catalog_seed(products=30)
    assert (again.products_created, again.products_existing) == (0, 30)
    assert (Product.objects.count(), Variant.objects.count()) == (30, variants)
    assert again.categories_created == again.brands_created == again.tags_created == 0

    more = demo_catalog_seed(products=40)
    assert (more.products_created, more.products_existing) == (10, 30)
    assert Product.objects.count() == 40
    assert dict(Product.objects.filter(pk__in=first.values()).values_list("slug", "pk")) == first


def test_seeded_products_are_the_same_for_the_same_seed() -> None:
    demo_catalog_seed(products=5, seed=7)
    titles = list(Product.objects.order_by("pk").values_list("title", "slug"))
    StockMovement.objects.all().delete()
    Product.objects.all().delete()

    demo_catalog_seed(products=5, seed=7)

    assert list(Product.objects.order_by("pk").values_list("title", "slug")) == titles


def test_seeded_variants_have_one_value_per_option_and_distinct_combinations() -> None:
    demo_catalog_seed(products=30)

    for product in Product.objects.prefetch_related("options", "variants__option_values__option"):
        options = [option.name for option in product.options.all()]
        combinations = []
        for variant in product.variants.all():
            names = [value.option.name for value in variant.option_values.all()]
            assert sorted(names) == sorted(options)
            combinations.append(tuple(sorted(value.value for value in variant.option_values.all())))
        assert len(set(combinations)) == len(combinations)
        if not options:
            assert product.variants.count() == 1
    assert set(ProductOption.objects.values_list("name", flat=True)) <= {"Size", "Colour"}


def test_seeded_listing_columns_and_descriptions_match_the_services() -> None:
    demo_catalog_seed(products=30)
    seeded = list(Product.objects.order_by("pk").values_list("price_min", "price_max", "in_stock"))

    product_listing_refresh(product_ids=Product.objects.values_list("pk", flat=True))

    assert list(Product.objects.order_by("pk").values_list("price_min", "price_max", "in_stock")) == seeded
    for product in Product.objects.all():
        assert product.description_html == markdown_render(product.description)
        assert "<strong>Highlights</strong>" in product.description_html


def test_seeded_stock_ledger_balances() -> None:
    demo_catalog_seed(products=30)

    ledger = dict(
        StockMovement.objects.values("variant")
        .annotate(total=Sum("on_hand_change"))
        .values_list("variant", "total")
    )
    for variant in Variant.objects.all():
        assert ledger.get(variant.pk, 0) == variant.stock_on_hand
    assert set(StockMovement.objects.values_list("reason", "reference")) == {("restock", "seed_demo")}


def test_seeded_images_exist_with_webp_renditions_and_alt_text(media: Path) -> None:
    demo_catalog_seed(products=30)

    names = set(ProductImage.objects.values_list("image", flat=True))
    assert 1 <= len(names) <= IMAGE_COUNT
    assert len(list((media / "products" / "demo").glob("*.png"))) == IMAGE_COUNT
    for image in ProductImage.objects.all():
        assert default_storage.exists(image.image.name or "")
        assert (image.width, image.height) == (800, 800)
        assert image.alt_text.startswith(image.product.title)
        assert sorted(image.renditions, key=int) == ["320", "640", "800"]
        for rendition in image.renditions.values():
            assert rendition.endswith(".webp")
            assert default_storage.exists(rendition)
    # Pictures of a colour belong to a variant of that colour.
    colour_images = ProductImage.objects.exclude(variant=None).select_related("variant")
    assert colour_images.exists()
    for image in colour_images:
        assert image.variant is not None
        colour = image.variant.option_values.get(option__name="Colour").value
        assert image.alt_text.endswith(f" in {colour.lower()}")


def test_seed_demo_command_prints_progress_and_a_summary() -> None:
    out = io.StringIO()

    call_command("seed_demo", "--products", "3", "--no-progress", stdout=out)

    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"3/3 products checked \(\d+s\)", lines[0].strip())  # seconds vary with load
    assert lines[-1].startswith("Demo catalog: 3 products created (")
    assert Counter(Product.objects.values_list("is_featured", flat=True))[True] == 0


@pytest.mark.postgres
def test_seeded_products_are_found_by_search_on_postgres() -> None:
    demo_catalog_seed(products=10)

    assert Product.objects.filter(search_vector=None).count() == 0
    product = Product.objects.order_by("pk").first()
    assert product is not None
    word = product.title.split()[-1].lower()
    assert Product.objects.filter(search_vector=word).filter(pk=product.pk).exists()
