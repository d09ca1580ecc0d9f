"""Wishlists in real Chromium at a desktop and a phone viewport: a guest
hearts two products, signs in and finds them kept, shares the list, a second
person opens the shared link and puts an item in their own cart, the owner
moves the rest to the cart; then a shopper asks to hear when a sold-out
variant is back, staff restock it in the admin, beat's alert job runs, and
one email arrives by SMTP. Screenshots of each step."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from notifications.models import Notification
from tests.browser.conftest import Sink, Tab, open_tab
from tests.catalog.factories import ProductFactory
from tests.factories import DEFAULT_PASSWORD, UserFactory
from wishlists.alerts import stock_alerts_send
from wishlists.models import StockAlert, Wishlist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER = "grace@example.com"
STAFF = "boss@example.com"


@pytest.fixture
def friend(browser: Browser, tab: Tab) -> Iterator[Tab]:
    with open_tab(browser, tab.viewport) as friend:
        yield friend


@pytest.fixture
def staff(browser: Browser, tab: Tab, settings) -> Iterator[Tab]:
    settings.ADMIN_REQUIRE_MFA = False
    UserFactory.create(email=STAFF, is_staff=True, is_superuser=True)
    with open_tab(browser, tab.viewport) as staff:
        yield staff


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_favourites_from_a_guest_to_a_shared_list_and_the_cart(live_server, tab: Tab, friend: Tab) -> None:
    UserFactory.create(email=OWNER, first_name="Grace")
    ProductFactory.create(title="Desk Lamp")
    ProductFactory.create(title="Wool Rug")
    shop = tab.page

    # A guest hearts two products on the listing; the hearts show it.
    shop.goto(f"{live_server.url}/products/")
    shop.get_by_role("button", name="Save Desk Lamp to your favourites").click()
    expect(shop.locator(".messages")).to_contain_text("Desk Lamp is in your favourites.")
    shop.get_by_role("button", name="Save Wool Rug to your favourites").click()
    expect(shop.get_by_role("button", name="Remove Wool Rug from your favourites")).to_have_attribute(
        "aria-pressed", "true"
    )
    tab.screenshot("wishlists-01-hearts")

    # Signing in keeps them.
    _sign_in(shop, f"{live_server.url}/accounts/login/?next=/wishlists/", OWNER)
    expect(shop.locator(".messages")).to_contain_text("The 2 items you saved are in your favourites.")
    expect(shop.get_by_role("heading", name="Your lists")).to_be_visible()
    shop.locator("main").get_by_role("link", name="Favourites").click()
    expect(shop.get_by_role("heading", name="Favourites")).to_be_visible()
    expect(shop.locator(".wishlist-item")).to_have_count(2)

    # A note and a quantity, then share the list by its link.
    shop.get_by_label("Quantity").first.fill("2")
    shop.get_by_label("Note").first.fill("For the study")
    shop.get_by_role("button", name="Save").first.click()
    expect(shop.locator(".messages")).to_contain_text("Saved.")
    shop.get_by_role("button", name="Share by link").click()
    expect(shop.locator(".messages")).to_contain_text("Anyone with the link can see this list now.")
    tab.screenshot("wishlists-02-shared")
    favourites = Wishlist.objects.get(user__email=OWNER)
    shared_url = f"{live_server.url}/wishlists/shared/{favourites.share_token}/"
    expect(shop.get_by_role("link", name="Share on X (opens in a new tab)")).to_be_visible()

    # A friend opens the link: read-only, and an item goes to the friend's own cart.
    friend.page.goto(shared_url)
    expect(friend.page.get_by_role("heading", name="Favourites")).to_be_visible()
    expect(friend.page.get_by_text("A list by Grace")).to_be_visible()
    expect(friend.page.get_by_role("button", name="Remove")).to_have_count(0)
    friend.screenshot("wishlists-03-friend-sees-the-list")
    friend.page.get_by_role("button", name="Add to cart").first.click()
    expect(friend.page.locator(".messages")).to_contain_text("is in your cart.")
    expect(friend.page.locator("[data-cart-count]")).to_have_text("2")  # the quantity the owner wants

    # The owner moves everything to the cart.
    shop.get_by_role("button", name="Move all to cart").click()
    expect(shop.locator(".messages")).to_contain_text("are in your cart.")
    expect(shop.locator("[data-cart-count]")).to_have_text("3")  # the one wanted twice, the other once
    tab.screenshot("wishlists-04-moved-to-cart")
    assert favourites.items.count() == 0
    assert tab.problems == []
    assert friend.problems == []


def test_back_in_stock_from_the_product_page_to_one_email(
    live_server, tab: Tab, staff: Tab, smtp_sink: Sink, settings
) -> None:
    settings.SHOP_URL = live_server.url
    UserFactory.create(email=OWNER)
    product = ProductFactory.create(title="Rare Vase", variants__stock=0)
    variant = product.variants.get()
    shop, admin = tab.page, staff.page

    # A signed-in shopper asks to hear when it is back.
    _sign_in(shop, f"{live_server.url}/accounts/login/", OWNER)
    shop.goto(f"{live_server.url}{product.get_absolute_url()}")
    expect(shop.get_by_text("Sold out. We can email you when it is back in stock.")).to_be_visible()
    tab.screenshot("wishlists-05-sold-out")
    shop.get_by_role("button", name="Email me when it is back").click()
    expect(shop.locator(".messages")).to_contain_text("We will email you when Rare Vase is back in stock.")
    assert StockAlert.objects.filter(variant=variant, notified_at__isnull=True).count() == 1

    # Staff restock it in the admin; beat's alert job runs (twice: once is what counts).
    _sign_in(admin, f"{live_server.url}/admin/", STAFF)
    admin.goto(f"{live_server.url}/admin/catalog/variant/{variant.pk}/adjust-stock/")
    admin.get_by_label("Reason").select_option("restock")
    admin.get_by_label("Quantity change").fill("3")
    staff.screenshot("wishlists-06-staff-restock")
    admin.get_by_role("button", name="Adjust stock").click()
    expect(admin.locator(".messagelist")).to_be_visible()
    assert stock_alerts_send() == 1
    assert stock_alerts_send() == 0

    (message,) = smtp_sink.received
    assert message["To"] == OWNER
    assert message["Subject"] == "[Shop] Rare Vase is back in stock"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(kind="wishlist.back_in_stock").count() == 1
    shop.goto(f"{live_server.url}/notifications/")
    expect(shop.get_by_text("Rare Vase is back in stock")).to_be_visible()
    tab.screenshot("wishlists-07-notice")
    assert tab.problems == []
    assert staff.problems == []
