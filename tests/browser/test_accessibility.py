"""axe-core (from npm, ``npm ci``) in Chromium on the pages shoppers use
(catalog, account, cart, every checkout step, orders, returns),
at a desktop and a phone viewport: no WCAG 2.1 A/AA violation of serious or
critical impact. Each violation is listed with the rule, its help and the
elements, so a failure says what to fix."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser

from api.scopes import READ
from api.tokens import access_token_create
from cart.models import Cart
from orders.checkout.steps import checkout_addresses_set, checkout_get
from orders.lifecycle.fulfilment import order_ship
from reviews.services import review_reply_set
from tests.browser.conftest import VIEWPORTS, Tab, open_tab
from tests.cart.factories import cart_with, product_with_variants
from tests.conftest import AXE
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.orders.account_helpers import paid_order
from tests.orders.factories import BERLIN
from tests.reviews.factories import review_of
from wishlists.services import favourites_get_or_create, item_add, wishlist_share

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

RUN_AXE = """
async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const where = v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", ");
      return `${v.id} (${v.impact}): ${v.help} -> ${where}`;
    });
}
"""


def _violations(tab: Tab, url: str) -> list[str]:
    tab.page.goto(url)
    tab.page.add_script_tag(path=str(AXE))
    found: list[str] = tab.page.evaluate(RUN_AXE)
    return [f"{url}: {line}" for line in found]


@pytest.fixture(params=list(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Tab]:
    """The page at each viewport, with the shop's Content-Security-Policy
    bypassed so that axe (an injected script) may run; the other journeys
    keep the policy and fail on any violation."""
    with open_tab(browser, request.param, bypass_csp=True) as tab:
        yield tab


def test_axe_finds_a_violation_when_there_is_one(tab: Tab) -> None:
    """The harness itself: a button without a name is reported."""
    tab.page.set_content('<html lang="en"><title>t</title><body><main><button></button></main></body></html>')
    tab.page.add_script_tag(path=str(AXE))

    found: list[str] = tab.page.evaluate(RUN_AXE)

    assert [line.split(" ", 1)[0] for line in found] == ["button-name"]


def test_the_shoppers_pages_have_no_serious_accessibility_violations(live_server, tab: Tab) -> None:
    product, (red, _blue) = product_with_variants("Linen shirt")
    praise = review_of(product, rating=5, title="Cool in summer")
    review_of(product, rating=3, title="Creases a lot")
    review_reply_set(review=praise, reply="Thank you!", by=UserFactory.create(is_staff=True))
    user = UserFactory.create(email="ada@example.com")
    favourites = wishlist_share(wishlist=favourites_get_or_create(user=user))
    item_add(wishlist=favourites, product=product, variant=red)
    order = paid_order(user=user, email="ada@example.com")
    shipped = paid_order(user=user, email="ada@example.com")
    order_ship(order_id=shipped.pk, by=None, carrier="table", tracking_number="1Z999")
    access_token_create(user=user, name="Stock script", scopes=[READ])
    base = live_server.url
    anonymous = [
        "/",
        "/products/",
        product.get_absolute_url(),
        praise.get_absolute_url(),
        "/products/?q=shirt",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/track/",
        "/cart/",
        "/notifications/subscribe/",
        f"/wishlists/shared/{favourites.share_token}/",
    ]
    violations = [line for path in anonymous for line in _violations(tab, base + path)]

    tab.page.goto(f"{base}/accounts/login/")
    tab.page.get_by_label("Email").fill("ada@example.com")
    tab.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    tab.page.get_by_role("button", name="Sign In").click()
    Cart.objects.filter(user=user).delete()  # the paid order's, emptied
    cart_with((red, 2), user=user)
    signed_in = [
        "/cart/",
        "/checkout/address/",
        "/orders/",
        order.get_absolute_url(),
        reverse("orders:cancel", kwargs={"number": order.number}),
        shipped.get_absolute_url(),
        reverse("orders:return_new", kwargs={"number": shipped.number}),
        "/accounts/profile/",
        "/accounts/addresses/",
        "/accounts/email/",
        "/accounts/tokens/",  # with a token to revoke
        "/notifications/preferences/",
        reverse("reviews:write", kwargs={"slug": product.slug}),
        reverse("reviews:report", kwargs={"slug": product.slug, "pk": praise.pk}),
        reverse("reviews:mine"),
        "/wishlists/",
        favourites.get_absolute_url(),
        product.get_absolute_url(),  # with "Helpful" and "Report" on each review
    ]
    violations += [line for path in signed_in for line in _violations(tab, base + path)]

    # The rest of checkout: the shipping choice, then the payment page (the
    # order is placed by the shipping step's button, as a shopper does).
    checkout = checkout_get(cart=Cart.objects.get(user=user))
    checkout_addresses_set(checkout=checkout, shipping=BERLIN, billing=None)
    violations += _violations(tab, f"{base}/checkout/shipping/")
    tab.page.get_by_role("button", name="Continue to payment").click()
    tab.page.wait_for_url("**/checkout/payment/")
    violations += _violations(tab, f"{base}/checkout/payment/")

    assert violations == []
