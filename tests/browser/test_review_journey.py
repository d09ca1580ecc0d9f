"""A review from purchase to the page, in real Chromium at a desktop and a
phone viewport, between three people: the customer buys, staff ship and
deliver in the admin, the review request's email links straight to the form,
the customer writes a review with a photo, it waits for a moderator (the shop
moderates every review here), staff approve it, and it shows with the
"Verified purchase" badge and the photo; another shopper finds it helpful and
reports it. Screenshots of each step."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from notifications.models import Notification
from orders.reminders import review_requests_send
from reviews.models import Review, ReviewPhoto, ReviewReport, ReviewVote
from tests.browser.conftest import Tab, open_tab
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER = "grace@example.com"
STAFF = "boss@example.com"
OTHER = "ada@example.com"


@pytest.fixture(autouse=True)
def shop(settings, tmp_path: Path, live_server) -> Path:
    """Photos go to a temporary folder the live server serves; links in
    emails point at the live server; every review waits for a moderator."""
    settings.MEDIA_ROOT = tmp_path
    settings.SHOP_URL = live_server.url
    settings.ADMIN_REQUIRE_MFA = False
    settings.REVIEWS_PUBLISH_VERIFIED = False
    settings.REVIEW_REQUEST_AFTER_DAYS = 0
    return tmp_path


@pytest.fixture
def staff(browser: Browser, tab: Tab) -> Iterator[Tab]:
    UserFactory.create(email=STAFF, is_staff=True, is_superuser=True)
    with open_tab(browser, tab.viewport) as staff:
        yield staff


@pytest.fixture
def other(browser: Browser, tab: Tab) -> Iterator[Tab]:
    UserFactory.create(email=OTHER, first_name="Ada")
    with open_tab(browser, tab.viewport) as other:
        yield other


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _photo(folder: Path) -> Path:
    path = folder / "on-my-desk.jpg"
    Image.new("RGB", (1600, 1200), "#8a6d3b").save(path, "JPEG")
    return path


def test_a_customers_review_from_delivery_to_the_page(
    live_server, tab: Tab, staff: Tab, other: Tab, shop: Path
) -> None:
    user = UserFactory.create(email=CUSTOMER, first_name="Grace", last_name="Hopper")
    order = paid_order(user=user, email=CUSTOMER, lines=1)
    product = order.lines.get().variant.product  # type: ignore[union-attr]
    customer, admin, ada = tab.page, staff.page, other.page

    # Staff ship the order and mark it delivered in the admin.
    _sign_in(admin, f"{live_server.url}/admin/", STAFF)
    admin.goto(f"{live_server.url}/admin/orders/order/?q={order.number}")
    admin.get_by_role("link", name=order.number).click()
    admin.get_by_role("link", name="Mark shipped", exact=True).click()
    admin.get_by_role("button", name="Mark shipped").click()
    expect(admin.locator(".messagelist")).to_contain_text("recorded")
    admin.get_by_role("link", name="Mark delivered", exact=True).click()
    admin.get_by_role("button", name="Mark delivered").click()
    expect(admin.locator(".messagelist")).to_contain_text("Marked delivered.")

    # Beat asks for a review; the email links straight to the form.
    mail.outbox.clear()
    assert review_requests_send() == 1
    (request,) = mail.outbox
    assert request.subject == "[Shop] How do you like what you received?"
    link = next(word for word in request.body.split() if "/reviews/write/" in word)
    assert link.startswith(f"{live_server.url}/products/{product.slug}/reviews/write/?variant=")

    # The customer follows it, signs in on the way, and writes a review with a photo.
    customer.goto(link)
    customer.get_by_label("Email").fill(CUSTOMER)
    customer.get_by_label("Password").fill(DEFAULT_PASSWORD)
    customer.get_by_role("button", name="Sign In").click()
    expect(customer.get_by_role("heading", name="Write a review")).to_be_visible()
    expect(customer.get_by_label("Shown as")).to_have_value("Grace H.")
    customer.get_by_role("button", name="Send your review").click()  # nothing filled in
    expect(customer.get_by_role("alert")).to_contain_text("Your rating: Choose from 1 to 5 stars.")
    tab.screenshot("reviews-01-form-errors")
    customer.get_by_label("4 stars").check()
    customer.get_by_label("Title").fill("Bright and steady")
    customer.get_by_label("Your review").fill("Lights the whole desk without glare. The switch feels solid.")
    customer.get_by_label("Photos").set_input_files(_photo(shop))
    tab.screenshot("reviews-02-form")
    customer.get_by_role("button", name="Send your review").click()
    expect(customer.get_by_role("status")).to_contain_text("will show once our team has read it")
    expect(customer.locator("#reviews")).to_contain_text("Your review is waiting for our team to read it.")
    tab.screenshot("reviews-03-waiting")
    review = Review.objects.get()
    assert (review.status, review.held, review.verified_purchase) == ("pending", "setting", True)

    # Staff find it first in the queue and approve it.
    admin.goto(f"{live_server.url}/admin/reviews/review/")
    staff.screenshot("reviews-staff-01-queue")
    admin.get_by_role("link", name="Bright and steady").click()
    expect(admin.locator("img").first).to_be_visible()
    staff.screenshot("reviews-staff-02-review")
    admin.get_by_role("button", name="Approve and publish").click()
    expect(admin.locator(".messagelist")).to_contain_text("is published")

    # It shows on the product page with the badge and the photo.
    customer.goto(f"{live_server.url}{product.get_absolute_url()}")
    section = customer.locator("#reviews")
    expect(section).to_contain_text("4.0 out of 5")
    expect(section).to_contain_text("Verified purchase")
    expect(section.locator("img.review-photo")).to_have_count(1)
    expect(section.get_by_text("Your review", exact=True)).to_be_visible()  # no vote on one's own
    tab.screenshot("reviews-04-published")

    # Another shopper finds it helpful and reports it.
    _sign_in(ada, f"{live_server.url}/accounts/login/", OTHER)
    ada.goto(f"{live_server.url}{product.get_absolute_url()}#reviews")
    ada.get_by_role("button", name="Helpful").click()
    expect(ada.get_by_role("status")).to_contain_text("Thank you for your feedback.")
    expect(ada.get_by_role("button", name="You found this helpful")).to_be_disabled()
    expect(ada.locator("#reviews")).to_contain_text("1 person found this helpful")
    other.screenshot("reviews-05-helpful")
    ada.get_by_role("link", name="Report").click()
    ada.get_by_label("Spam or advertising").check()
    ada.get_by_label("Anything else (optional)").fill("Reads like an advert.")
    other.screenshot("reviews-06-report")
    ada.get_by_role("button", name="Send the report").click()
    expect(ada.get_by_role("status")).to_contain_text("our team will look at this review")

    review.refresh_from_db()
    assert (review.status, review.helpful_count, review.report_count) == ("published", 1, 1)
    assert ReviewVote.objects.count() == 1
    assert ReviewReport.objects.get().note == "Reads like an advert."
    photo = ReviewPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)
    assert Notification.objects.filter(kind="reviews.published", user=user).count() == 1
    assert tab.problems == []
    assert staff.problems == []
    assert other.problems == []
