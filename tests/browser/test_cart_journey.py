"""A shopper's cart in real Chromium, at a desktop and a phone viewport: add
two variants from the product page, change a quantity, apply a promo code and
watch the total change, remove the code and a line (all without a page load);
then sign in and find the guest cart merged into the account's, with a
message. And the same forms without JavaScript, as plain posts."""

import re
from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from cart.services import cart_create, cart_line_add
from catalog.images import product_image_save
from catalog.models import Product, ProductImage, Variant
from promotions.models import PromoCode
from promotions.services import promo_code_save
from promotions.values import OfferKind
from tests.browser.conftest import SCREENSHOTS, Tab, open_tab
from tests.cart.factories import product_with_variants
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "ada@example.com"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Uploaded images go to a temporary folder; the live server serves it."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _photo(product: Product, *, alt: str, colour: str) -> ProductImage:
    buffer = BytesIO()
    Image.new("RGB", (900, 900), colour).save(buffer, "JPEG")
    upload = SimpleUploadedFile("tee.jpg", buffer.getvalue(), content_type="image/jpeg")
    return product_image_save(image=ProductImage(product=product, alt_text=alt), upload=upload)


@pytest.fixture
def shop() -> dict[str, Variant]:
    """An organic cotton tee in red and blue (size M) at 25.00, ten of each;
    the code SAVE10 takes 10% off; Ada has one blue tee in her cart."""
    product, (red, blue) = product_with_variants(
        "Organic Cotton Tee", price=Decimal("25.00"), colours=("Red", "Blue")
    )
    _photo(product, alt="Organic Cotton Tee, folded", colour="#b3261e")
    promo_code_save(
        code=PromoCode(name="Ten percent", code="SAVE10", kind=OfferKind.PERCENT, value=Decimal(10))
    )
    user = UserFactory.create(email=EMAIL)
    cart_line_add(cart=cart_create(user=user), variant_id=blue.pk, quantity=1)
    return {"red": red, "blue": blue}


def _fits_the_width(tab: Tab) -> None:
    overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{tab.viewport}: {tab.page.url} is {overflow}px wider than the viewport"


def _cart_link(page: Page, count: int):
    unit = "item" if count == 1 else "items"
    return page.get_by_role("banner").get_by_role("link", name=f"Cart, {count} {unit}")


def _total(page: Page):
    return page.locator("[data-cart-total]")


def _line(page: Page, title: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_shopper_fills_the_cart_uses_a_code_and_keeps_it_after_signing_in(
    live_server, tab: Tab, shop: dict[str, Variant]
) -> None:
    page = tab.page
    product_url = f"{live_server.url}{shop['red'].product.get_absolute_url()}"

    # Add the red tee, then two blue ones, from the product page.
    page.goto(product_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Organic Cotton Tee")
    expect(_cart_link(page, 0)).to_be_visible()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added Organic Cotton Tee (Red / M) to your cart.")).to_be_visible()
    expect(_cart_link(page, 1)).to_be_visible()
    page.get_by_label("Colour", exact=True).select_option(label="Blue")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added 2 of Organic Cotton Tee (Blue / M) to your cart.")).to_be_visible()
    expect(_cart_link(page, 3)).to_be_visible()
    tab.screenshot("cart-01-added")
    _fits_the_width(tab)

    # The cart: each line with its options, unit price and total.
    page.get_by_role("link", name="View your cart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    red = _line(page, "Organic Cotton Tee (Red / M)")
    blue = _line(page, "Organic Cotton Tee (Blue / M)")
    expect(red).to_contain_text("EUR 25.00")
    expect(blue).to_contain_text("EUR 50.00")
    expect(red.locator("img")).to_have_count(1)  # decorative: the title says it all
    expect(_total(page)).to_have_text("EUR 75.00")
    checkout = page.get_by_role("link", name="Checkout", exact=True)
    expect(checkout.or_(page.get_by_text("Checkout opens soon."))).to_be_visible()
    tab.screenshot("cart-02-cart")
    _fits_the_width(tab)

    # Three red tees: the line, the total and the header follow.
    quantity = page.get_by_label("Quantity of Organic Cotton Tee (Red / M)")
    quantity.fill("3")
    page.get_by_role("button", name="Update Organic Cotton Tee (Red / M)").click()
    expect(page.get_by_text("Organic Cotton Tee (Red / M): the quantity is now 3.")).to_be_visible()
    expect(_total(page)).to_have_text("EUR 125.00")
    expect(_cart_link(page, 5)).to_be_visible()
    # The new body replaced the old: the focus is back on the button pressed.
    expect(page.get_by_role("button", name="Update Organic Cotton Tee (Red / M)")).to_be_focused()

    # More than in stock: refused, with the numbers; nothing changes.
    quantity = page.get_by_label("Quantity of Organic Cotton Tee (Red / M)")
    quantity.evaluate("input => input.removeAttribute('max')")  # as an old page would still allow
    quantity.fill("12")
    page.get_by_role("button", name="Update Organic Cotton Tee (Red / M)").click()
    expect(page.get_by_text("Only 10 of Organic Cotton Tee (Red / M) are in stock.")).to_be_visible()
    expect(_total(page)).to_have_text("EUR 125.00")

    # A code that does not exist, then SAVE10: 10% off the total.
    page.get_by_label("Enter a promo code").fill("NOPE")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("[data-cart-promo-error]")).to_have_text("We don't know the code NOPE.")
    page.get_by_label("Enter a promo code").fill("save10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("The code SAVE10 was applied.")).to_be_visible()
    expect(_total(page)).to_have_text("EUR 112.50")
    summary = page.get_by_role("complementary", name="Summary")
    expect(summary).to_contain_text("SAVE10")
    expect(summary).to_contain_text("12.50")
    tab.screenshot("cart-03-code")
    _fits_the_width(tab)

    # Remove the code, then the blue line.
    page.get_by_role("button", name="Remove code SAVE10").click()
    expect(page.get_by_text("The code SAVE10 was removed.")).to_be_visible()
    expect(_total(page)).to_have_text("EUR 125.00")
    page.get_by_role("button", name="Remove Organic Cotton Tee (Blue / M)").click()
    expect(page.get_by_text("Organic Cotton Tee (Blue / M) was removed from your cart.")).to_be_visible()
    expect(_line(page, "Organic Cotton Tee (Blue / M)")).to_have_count(0)
    expect(_total(page)).to_have_text("EUR 75.00")
    expect(_cart_link(page, 3)).to_be_visible()
    tab.screenshot("cart-04-removed")

    # Sign in: the three red tees join Ada's blue one, and she is told.
    page.goto(f"{live_server.url}/accounts/login/?next=/cart/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    expect(page.get_by_role("status")).to_contain_text(
        "We added 3 items from before you signed in to your cart."
    )
    expect(page.get_by_label("Quantity of Organic Cotton Tee (Red / M)")).to_have_value("3")
    expect(page.get_by_label("Quantity of Organic Cotton Tee (Blue / M)")).to_have_value("1")
    expect(_total(page)).to_have_text("EUR 100.00")
    expect(_cart_link(page, 4)).to_be_visible()
    tab.screenshot("cart-05-merged")
    _fits_the_width(tab)

    # A changed quantity sends itself once the field is left.
    blue_quantity = page.get_by_label("Quantity of Organic Cotton Tee (Blue / M)")
    blue_quantity.fill("2")
    blue_quantity.press("Tab")
    expect(_total(page)).to_have_text("EUR 125.00")
    expect(_cart_link(page, 5)).to_be_visible()

    # Empty it, after saying yes.
    page.get_by_text("Empty cart", exact=True).click()
    page.get_by_role("button", name="Yes, empty my cart").click()
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    expect(_cart_link(page, 0)).to_be_visible()
    tab.screenshot("cart-06-empty")

    # The two refusals above were answered 400, as designed; the console
    # notes each failed request. Nothing else may show there.
    refused = [p for p in tab.problems if p.endswith("status of 400 (Bad Request)")]
    assert len(refused) == 2
    assert [p for p in tab.problems if p not in refused] == []


@pytest.fixture
def no_script_page(browser: Browser, tab: Tab) -> Iterator[Page]:
    """A page at the tab's viewport with JavaScript switched off."""
    with open_tab(browser, tab.viewport, java_script_enabled=False) as no_script:
        yield no_script.page


def test_the_cart_works_without_javascript(live_server, tab: Tab, no_script_page: Page, shop) -> None:
    page = no_script_page
    page.goto(f"{live_server.url}{shop['red'].product.get_absolute_url()}")
    page.get_by_role("button", name="Add to cart").click()

    # Back on the product page, with a message linking to the cart.
    expect(page.get_by_role("heading", level=1)).to_have_text("Organic Cotton Tee")
    expect(page.get_by_role("status")).to_contain_text("Added Organic Cotton Tee (Red / M) to your cart.")
    expect(_cart_link(page, 1)).to_be_visible()
    page.get_by_role("status").get_by_role("link", name="View your cart").click()

    page.get_by_label("Quantity of Organic Cotton Tee (Red / M)").fill("4")
    page.get_by_role("button", name="Update Organic Cotton Tee (Red / M)").click()
    expect(page.get_by_role("status")).to_have_text("Organic Cotton Tee (Red / M): the quantity is now 4.")
    expect(_total(page)).to_have_text("EUR 100.00")
    page.get_by_label("Enter a promo code").fill("SAVE10")
    page.get_by_role("button", name="Apply").click()
    expect(_total(page)).to_have_text("EUR 90.00")

    # Meanwhile the price went up and stock went down: the line says so.
    Variant.objects.filter(pk=shop["red"].pk).update(price=Decimal("27.00"), stock_on_hand=3)
    page.reload()
    red = _line(page, "Organic Cotton Tee (Red / M)")
    expect(red).to_contain_text("The price changed from 25.00 to 27.00 since you added it.")
    expect(red).to_contain_text("Only 3 left: lower the quantity to check out.")
    page.screenshot(path=SCREENSHOTS / tab.viewport / "cart-07-no-script.png", full_page=True)

    page.get_by_text("Empty cart", exact=True).click()  # <details> opens without a script
    page.get_by_role("button", name="Yes, empty my cart").click()
    expect(page.get_by_role("status")).to_have_text("Your cart is empty now.")
    expect(page.get_by_text("Your cart is empty.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Browse products"))).to_be_visible()
