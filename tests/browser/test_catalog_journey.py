"""A shopper's catalog journey in real Chromium, at a desktop and a phone
viewport: search from the header (with its suggestions), filter the results
by brand and price, open a product and switch its variant, with JavaScript
(price and stock follow at once) and without it (the picker is a GET form)."""

import re
from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from catalog.images import product_image_save
from catalog.models import Product, ProductImage, ProductOption, ProductOptionValue, Variant
from catalog.search import search_vector_refresh
from tests.browser.conftest import Tab, open_tab
from tests.catalog.factories import BrandFactory, ProductFactory, VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Uploaded images go to a temporary folder; the live server serves it."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _photo(product: Product, *, alt: str, colour: str, variant: Variant | None = None) -> ProductImage:
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    upload = SimpleUploadedFile("jacket.jpg", buffer.getvalue(), content_type="image/jpeg")
    image = ProductImage(product=product, variant=variant, alt_text=alt, position=0 if variant is None else 1)
    return product_image_save(image=image, upload=upload)


def _jacket(*, title: str, brand: str, price: str) -> Product:
    product = ProductFactory.create(
        title=title, brand=BrandFactory.create(name=brand), variants=1, variants__price=Decimal(price)
    )
    _photo(product, alt=f"{title}, front", colour="#51606b")
    return product


def _alpine_down_jacket() -> tuple[Product, dict[str, Variant]]:
    """Size S, M, L in red, and M in navy, at different prices and stock."""
    product = ProductFactory.create(
        title="Alpine Down Jacket",
        brand=BrandFactory.create(name="Northwind"),
        description="Warm **goose down** for cold mountain days.",
        variants=0,
    )
    size = ProductOption.objects.create(product=product, name="Size", position=0)
    colour = ProductOption.objects.create(product=product, name="Colour", position=1)
    sizes = {
        v: ProductOptionValue.objects.create(option=size, value=v, position=n) for n, v in enumerate("SML")
    }
    colours = {
        v: ProductOptionValue.objects.create(option=colour, value=v, position=n)
        for n, v in enumerate(["Red", "Navy"])
    }
    variants = {}
    for n, (key, price, compare_at, stock) in enumerate(
        [
            ("S/Red", "149.00", "179.00", 10),
            ("M/Red", "159.00", None, 2),
            ("L/Red", "169.00", None, 0),
            ("M/Navy", "159.00", None, 6),
        ]
    ):
        size_value, colour_value = key.split("/")
        variant = VariantFactory.create(
            product=product,
            sku=f"ADJ-{size_value}-{colour_value.upper()}",
            price=Decimal(price),
            compare_at_price=Decimal(compare_at) if compare_at else None,
            stock_on_hand=stock,
            position=n,
        )
        variant.option_values.add(sizes[size_value], colours[colour_value])
        variants[key] = variant
    _photo(product, alt="Alpine Down Jacket in red", colour="#b3261e")
    _photo(product, alt="Alpine Down Jacket in navy", colour="#1f2a5a", variant=variants["M/Navy"])
    # The variants' SKUs came after the product was saved.
    search_vector_refresh(product_ids=[product.pk])
    return product, variants


@pytest.fixture
def catalog() -> dict[str, Variant]:
    for title, brand, price in [
        ("Rain Shell Jacket", "Northwind", "89.00"),
        ("Storm Jacket", "Northwind", "249.00"),
        ("Harbour Jacket", "Northwind", "119.00"),
        ("Trail Jacket", "Fjellrev", "59.00"),
        ("Fjord Insulated Jacket", "Fjellrev", "199.00"),
        ("Wool Socks", "Fjellrev", "12.00"),
    ]:
        _jacket(title=title, brand=brand, price=price)
    _product, variants = _alpine_down_jacket()
    return variants


def _results(page: Page) -> Locator:
    """The listing's results: a region named by its count ("4 products")."""
    return page.get_by_role("region", name=re.compile(r"^\d+ products?$"))


def _result_titles(page: Page, count: int) -> list[str]:
    results = _results(page)
    expect(results).to_have_accessible_name(f"{count} product{'s' if count != 1 else ''}")
    titles = results.get_by_role("heading", level=3)
    expect(titles).to_have_count(count)
    return sorted(titles.all_inner_texts())


# The offer's price and stock status: the elements static/js/product.js
# updates (its contract with the template), read as their visible text.
def _price(page: Page) -> Locator:
    return page.locator("[data-variant-price]")


def _stock(page: Page) -> Locator:
    return page.locator("[data-variant-stock]")


def _first_image(page: Page) -> Locator:
    return page.get_by_role("list", name="Images").get_by_role("img").first


def _fits_the_width(tab: Tab) -> None:
    """Nothing sticks out sideways (a phone would scroll the whole page)."""
    overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{tab.viewport}: {tab.page.url} is {overflow}px wider than the viewport"


def _expect_offer(page: Page, *, price: str, stock: str, can_buy: bool) -> None:
    expect(_price(page)).to_have_text(price)
    expect(_stock(page)).to_have_text(stock)
    if can_buy:
        expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()
        expect(page.get_by_label("Quantity")).to_be_enabled()
    else:
        expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
        expect(page.get_by_role("button", name="Out of stock")).to_be_disabled()
        expect(page.get_by_label("Quantity")).to_be_disabled()


@pytest.fixture
def no_script_tab(browser: Browser, tab: Tab) -> Iterator[Tab]:
    """A second page at the same viewport with JavaScript switched off."""
    with open_tab(browser, tab.viewport, java_script_enabled=False) as no_script:
        yield no_script


def test_shopper_searches_filters_opens_a_product_and_switches_its_variant(
    live_server, tab: Tab, catalog: dict[str, Variant]
) -> None:
    page = tab.page
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Shop")
    tab.screenshot("catalog-01-home")
    _fits_the_width(tab)

    # Type in the header's search box: suggestions appear as a listbox.
    search_box = page.get_by_role("combobox", name="Search products")
    search_box.press_sequentially("jacket", delay=30)
    suggestions = page.get_by_role("listbox", name="Search suggestions")
    expect(suggestions).to_be_visible()
    expect(search_box).to_have_attribute("aria-expanded", "true")
    expect(suggestions.get_by_role("option", name=re.compile(r"^Alpine Down Jacket"))).to_contain_text(
        "EUR 149.00"
    )
    expect(suggestions.get_by_role("option")).to_have_count(7)  # six jackets, then "see all"
    expect(suggestions.get_by_role("option").last).to_have_text("See all results for “jacket”")
    expect(suggestions.get_by_role("option", name=re.compile("Wool Socks"))).to_have_count(0)
    tab.screenshot("catalog-02-suggestions")

    # Enter without choosing a suggestion searches.
    search_box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “jacket”")
    assert _result_titles(page, 6) == [
        "Alpine Down Jacket",
        "Fjord Insulated Jacket",
        "Harbour Jacket",
        "Rain Shell Jacket",
        "Storm Jacket",
        "Trail Jacket",
    ]
    tab.screenshot("catalog-03-results")
    _fits_the_width(tab)

    # Filter by brand: each brand shows its count among the results.
    expect(page.get_by_role("checkbox", name="Fjellrev (2)")).not_to_be_checked()
    page.get_by_role("checkbox", name="Northwind (4)").check()
    page.get_by_role("button", name="Apply filters").click()
    assert _result_titles(page, 4) == [
        "Alpine Down Jacket",
        "Harbour Jacket",
        "Rain Shell Jacket",
        "Storm Jacket",
    ]
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “jacket”")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Northwind "))).to_be_checked()
    tab.screenshot("catalog-04-brand")

    # And by price: from 100 to 200 (a product's lowest price counts).
    page.get_by_label("From", exact=True).fill("100")
    page.get_by_label("To", exact=True).fill("200")
    page.get_by_role("button", name="Apply filters").click()
    assert _result_titles(page, 2) == ["Alpine Down Jacket", "Harbour Jacket"]
    expect(page.get_by_label("From", exact=True)).to_have_value("100")
    expect(page.get_by_label("To", exact=True)).to_have_value("200")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Northwind "))).to_be_checked()
    chips = page.get_by_role("list", name="Applied filters")
    expect(chips).to_contain_text("Northwind")
    expect(chips).to_contain_text("From 100")
    expect(chips).to_contain_text("Up to 200")
    alpine_card = _results(page).get_by_role("article").filter(has_text="Alpine Down Jacket")
    expect(alpine_card).to_contain_text("from EUR 149.00")
    tab.screenshot("catalog-05-price")
    _fits_the_width(tab)

    # Open the product: the first variant in stock is shown, S in red.
    _results(page).get_by_role("link", name="Alpine Down Jacket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpine Down Jacket")
    _expect_offer(page, price="EUR 149.00", stock="In stock", can_buy=True)
    expect(page.get_by_text("EUR 179.00", exact=True)).to_be_visible()  # the compare-at price
    expect(page.get_by_role("button", name="Show this variant")).to_be_hidden()  # the script switches at once
    expect(_first_image(page)).to_have_attribute("alt", "Alpine Down Jacket in red")
    tab.screenshot("catalog-06-product")
    _fits_the_width(tab)

    # Switch the size: price and stock follow at once, without a page load.
    size = page.get_by_label("Size", exact=True)
    colour = page.get_by_label("Colour", exact=True)
    url = page.url
    size.select_option(label="M")
    _expect_offer(page, price="EUR 159.00", stock="Only 2 left", can_buy=True)
    expect(page.get_by_text("EUR 179.00", exact=True)).to_be_hidden()
    assert page.url == f"{url}?variant={catalog['M/Red'].pk}"
    tab.screenshot("catalog-07-variant-low")

    size.select_option(label="L")
    _expect_offer(page, price="EUR 169.00", stock="Out of stock", can_buy=False)
    tab.screenshot("catalog-08-variant-out")
    _fits_the_width(tab)

    # Navy comes only in M: the size follows, and so does the gallery.
    colour.select_option(label="Navy")
    _expect_offer(page, price="EUR 159.00", stock="In stock", can_buy=True)
    expect(size.locator("option:checked")).to_have_text("M")
    expect(_first_image(page)).to_have_attribute("alt", "Alpine Down Jacket in navy")
    assert page.url == f"{url}?variant={catalog['M/Navy'].pk}"
    tab.screenshot("catalog-09-variant-navy")

    # A thumbnail, chosen, becomes the large image (without leaving the page).
    page.get_by_role("link", name="Alpine Down Jacket in red").click()
    expect(_first_image(page)).to_have_attribute("alt", "Alpine Down Jacket in red")
    expect(_first_image(page)).to_have_attribute("sizes", "(min-width: 48rem) 36rem, 100vw")
    assert page.url == f"{url}?variant={catalog['M/Navy'].pk}"

    assert tab.problems == []


def test_variant_picker_works_without_javascript(live_server, no_script_tab: Tab, catalog) -> None:
    page = no_script_tab.page
    page.goto(f"{live_server.url}/products/alpine-down-jacket/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpine Down Jacket")
    _expect_offer(page, price="EUR 149.00", stock="In stock", can_buy=True)
    show = page.get_by_role("button", name="Show this variant")
    expect(show).to_be_visible()
    no_script_tab.screenshot("catalog-10-no-script-product")

    page.get_by_label("Size", exact=True).select_option(label="L")
    show.click()
    _expect_offer(page, price="EUR 169.00", stock="Out of stock", can_buy=False)
    expect(page.get_by_label("Size", exact=True).locator("option:checked")).to_have_text("L")
    expect(page.get_by_label("Colour", exact=True).locator("option:checked")).to_have_text("Red")
    no_script_tab.screenshot("catalog-11-no-script-out")

    page.get_by_label("Size", exact=True).select_option(label="M")
    page.get_by_role("button", name="Show this variant").click()
    _expect_offer(page, price="EUR 159.00", stock="Only 2 left", can_buy=True)
    no_script_tab.screenshot("catalog-12-no-script-low")

    # A combination that does not exist (L in navy) shows the closest one.
    page.get_by_label("Size", exact=True).select_option(label="L")
    page.get_by_label("Colour", exact=True).select_option(label="Navy")
    page.get_by_role("button", name="Show this variant").click()
    expect(page.get_by_role("status")).to_have_text(
        "That combination is not available; this is the closest one."
    )
    _expect_offer(page, price="EUR 169.00", stock="Out of stock", can_buy=False)
    expect(_first_image(page)).to_have_attribute("alt", "Alpine Down Jacket in red")
    no_script_tab.screenshot("catalog-13-no-script-closest")

    assert no_script_tab.problems == []
