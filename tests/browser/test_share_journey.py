"""Sharing a product and a review in real Chromium, at a desktop and a phone
viewport: the plain share links (X, Facebook, Pinterest with the product's
image, WhatsApp, email) each carry their utm_source; where the browser has no
share sheet (headless Chromium has none) they are the way, and "Copy link"
copies the link with utm_source=copy and says so; where it has one, "Share…"
hands it the link with utm_source=webshare; without JavaScript the link is in
a read-only field. No console error, no CSP violation. Screenshots of each."""

from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from catalog.images import image_sources, product_image_save
from catalog.models import Product, ProductImage
from tests.browser.conftest import VIEWPORTS, Tab, open_tab
from tests.catalog.factories import ProductFactory
from tests.reviews.factories import review_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NETWORKS = {  # accessible name -> utm_source, utm_medium
    "Share on X": ("x", "social"),
    "Share on Facebook": ("facebook", "social"),
    "Share on Pinterest": ("pinterest", "social"),
    "Share on WhatsApp": ("whatsapp", "social"),
    "Share by email": ("email", "email"),
}
# A share sheet for a browser that has none: it keeps what it was given.
FAKE_WEB_SHARE = """
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: function (data) { window.sharedData = data; return Promise.resolve(); },
});
Object.defineProperty(Navigator.prototype, "canShare", {
  configurable: true,
  value: function () { return true; },
});
"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Uploaded images go to a temporary folder; the live server serves it."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def scarf() -> Product:
    product = ProductFactory.create(title="Merino Scarf", variants=1, variants__price=Decimal("39.00"))
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), "#7a4b8c").save(buffer, "JPEG")
    upload = SimpleUploadedFile("scarf.jpg", buffer.getvalue(), content_type="image/jpeg")
    product_image_save(image=ProductImage(product=product, alt_text="Merino Scarf, folded"), upload=upload)
    return product


@pytest.fixture(params=list(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Tab]:
    """A page that may read and write the clipboard, as a person allows."""
    with open_tab(browser, request.param, permissions=["clipboard-read", "clipboard-write"]) as tab:
        yield tab


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def _share(page: Page) -> Locator:
    return page.get_by_role("group", name="Share")


def _fits_the_width(tab: Tab) -> None:
    overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{tab.viewport}: {tab.page.url} is {overflow}px wider than the viewport"


def _expect_plain_links(share: Locator, *, page_url: str, image_url: str) -> dict[str, str]:
    """Each network's link, opening in a new tab (not email) without telling
    the network where it came from, with the page's URL and its utm_source."""
    hrefs = {}
    links = share.get_by_role("link")
    expect(links).to_have_count(len(NETWORKS))
    for name, (source, medium) in NETWORKS.items():
        link = share.get_by_role("link", name=name)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        if source != "email":
            expect(link).to_have_attribute("target", "_blank")
        href = link.get_attribute("href") or ""
        query = _query(href)
        shared = f"{page_url}?utm_source={source}&utm_medium={medium}"
        if source == "whatsapp":
            assert query["text"][0].endswith(f" {shared}")
        elif source == "email":
            assert query["body"][0].endswith(shared)
        else:
            assert query[{"facebook": "u"}.get(source, "url")] == [shared], name
        hrefs[source] = href
    assert hrefs["x"].startswith("https://twitter.com/intent/tweet?")
    assert hrefs["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?")
    assert hrefs["pinterest"].startswith("https://pinterest.com/pin/create/button/?")
    assert _query(hrefs["pinterest"])["media"] == [image_url]
    assert hrefs["whatsapp"].startswith("https://wa.me/?")
    assert hrefs["email"].startswith("mailto:?")
    return hrefs


def test_shopper_shares_a_product_by_its_links_or_copies_the_link(
    live_server, tab: Tab, scarf: Product
) -> None:
    page = tab.page
    page_url = f"{live_server.url}{scarf.get_absolute_url()}"
    image_url = live_server.url + image_sources(scarf.images.get()).src
    page.goto(page_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Merino Scarf")
    share = _share(page)
    expect(share.get_by_role("heading", name="Share")).to_be_visible()
    expect(page.locator('meta[property="og:image"]')).to_have_attribute("content", image_url)
    expect(page.locator('meta[property="product:price:amount"]')).to_have_attribute("content", "39.00")

    # Headless Chromium has no share sheet: "Share…" stays hidden, the links are the way.
    has_web_share = page.evaluate("typeof navigator.share === 'function'")
    native = share.get_by_role("button", name="Share…")
    if has_web_share:
        expect(native).to_be_visible()
    else:
        expect(native).to_be_hidden()
    hrefs = _expect_plain_links(share, page_url=page_url, image_url=image_url)
    assert _query(hrefs["x"])["text"] == ["Merino Scarf \N{EN DASH} EUR 39.00"]
    tab.screenshot("share-01-product")
    _fits_the_width(tab)

    # "Copy link" replaces the field; it copies the link with utm_source=copy and says so.
    field = share.get_by_label("Link to this page")
    expect(field).to_be_hidden()
    share.get_by_role("button", name="Copy link").click()
    status = share.locator("[data-share-status]")
    expect(status).to_have_text("Link copied")
    expect(status).to_have_attribute("aria-live", "polite")
    assert page.evaluate("navigator.clipboard.readText()") == f"{page_url}?utm_source=copy&utm_medium=social"
    tab.screenshot("share-02-copied")

    # Copied again: said again (emptied first, so a screen reader repeats it).
    share.get_by_role("button", name="Copy link").click()
    expect(status).to_have_text("Link copied")

    assert tab.problems == []


def test_where_the_browser_has_a_share_sheet_share_hands_it_the_link(
    live_server, browser: Browser, scarf
) -> None:
    with open_tab(browser, "phone") as tab:
        tab.page.context.add_init_script(FAKE_WEB_SHARE)
        page_url = f"{live_server.url}{scarf.get_absolute_url()}"
        tab.page.goto(page_url)
        share = _share(tab.page)

        share.get_by_role("button", name="Share…").click()

        tab.page.wait_for_function("window.sharedData !== undefined")
        assert tab.page.evaluate("window.sharedData") == {
            "title": "Merino Scarf",
            "text": "Merino Scarf \N{EN DASH} EUR 39.00",
            "url": f"{page_url}?utm_source=webshare&utm_medium=social",
        }
        expect(share.get_by_role("link", name="Share on Pinterest")).to_be_visible()  # still there
        tab.screenshot("share-03-web-share")
        assert tab.problems == []


def test_without_javascript_the_link_is_in_a_read_only_field(live_server, browser: Browser, scarf) -> None:
    with open_tab(browser, "phone", java_script_enabled=False) as tab:
        page_url = f"{live_server.url}{scarf.get_absolute_url()}"
        tab.page.goto(page_url)
        share = _share(tab.page)

        field = share.get_by_label("Link to this page")
        expect(field).to_be_visible()
        expect(field).to_have_value(f"{page_url}?utm_source=copy&utm_medium=social")
        expect(field).to_have_attribute("readonly", "")
        expect(share.get_by_role("button")).to_have_count(0)  # both wait for the script
        expect(share.get_by_role("link")).to_have_count(len(NETWORKS))
        tab.screenshot("share-04-no-script")
        assert tab.problems == []


def test_a_review_without_photo_is_shared_with_the_products_image(live_server, tab: Tab, scarf) -> None:
    review = review_of(scarf, rating=5, title="Soft and warm")
    page = tab.page
    page_url = f"{live_server.url}{review.get_absolute_url()}"
    image_url = f"{live_server.url}{scarf.images.get().image.url}"
    page.goto(page_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("A review of Merino Scarf")
    expect(page.locator('meta[property="og:image"]')).to_have_attribute("content", image_url)

    share = _share(page)
    hrefs = _expect_plain_links(share, page_url=page_url, image_url=image_url)
    assert _query(hrefs["x"])["text"] == ["Soft and warm \N{EN DASH} A review of Merino Scarf"]
    share.get_by_role("button", name="Copy link").click()
    expect(share.locator("[data-share-status]")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{page_url}?utm_source=copy&utm_medium=social"
    tab.screenshot("share-05-review")
    _fits_the_width(tab)

    assert tab.problems == []
