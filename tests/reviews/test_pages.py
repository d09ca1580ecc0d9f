import json
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from reviews.models import Review, ReviewPhoto, ReviewReport, ReviewVote
from reviews.services import review_reply_set
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from tests.reviews.factories import bought, review_of

pytestmark = pytest.mark.django_db


def _png(width: int = 800, height: int = 600, name: str = "photo.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _files_in(settings, folder) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


def _form(**changes):
    data = {"rating": "4", "title": "Warm", "body": "Warm and soft, fits well.", "author_name": "Ada L."}
    data.update(changes)
    return data


def _write_url(product) -> str:
    return reverse("reviews:write", kwargs={"slug": product.slug})


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode())).strip()


def test_the_product_page_shows_average_count_histogram_and_the_reviews_with_badge_and_reply(client):
    product = ProductFactory.create(title="Merino Scarf")
    kind = review_of(product, rating=5, title="Soft and warm", body="The best scarf I have owned.")
    review_of(product, rating=4)
    review_of(product, rating=2, verified=False)  # pending: not shown, not counted
    review_reply_set(review=kind, reply="Glad it keeps you warm!", by=UserFactory.create(is_staff=True))

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    text = _text(response.content)
    assert "4.5 out of 5" in text
    assert "2 reviews" in text
    assert re.search(r"5 stars\s*</a>\s*</th>\s*<td><progress max=\"100\" value=\"50\"", html)
    assert '<tr>\n                <th scope="row">3 stars</th>' in html  # no link to an empty filter
    assert "Soft and warm" in text
    assert "Verified purchase" in text
    assert "Reply from Shop Glad it keeps you warm!" in text
    assert html.count('class="review"') == 2
    assert 'class="stars stars-45"' in html  # the summary's 4.5


def test_the_page_filters_sorts_and_pages_the_reviews_from_its_query_string(client):
    product = ProductFactory.create()
    for rating in (5, 5, 4, 1):
        review_of(product, rating=rating, title=f"{rating} stars from someone")

    with override_settings(REVIEWS_PAGE_SIZE=2):
        lowest = client.get(product.get_absolute_url(), {"review_sort": "lowest"})
        fives = client.get(product.get_absolute_url(), {"review_stars": "5"})
        second = client.get(product.get_absolute_url(), {"review_sort": "lowest", "review_page": "2"})
        nonsense = client.get(
            product.get_absolute_url(), {"review_stars": "9", "review_page": "x", "review_sort": "?"}
        )

    titles = lambda response: re.findall(r'class="review-title"><a [^>]+>([^<]+)<', response.content.decode())  # noqa: E731
    assert titles(lowest) == ["1 stars from someone", "4 stars from someone"]
    assert titles(second)[0] == "5 stars from someone"
    assert titles(fives) == ["5 stars from someone", "5 stars from someone"]
    assert "2 reviews with 5 stars." in _text(fives.content)
    assert nonsense.status_code == 200
    assert len(titles(nonsense)) == 2
    assert "Page 1 of 2" in _text(lowest.content)


def test_json_ld_carries_the_aggregate_rating_and_the_reviews_on_show(client):
    product = ProductFactory.create()
    review_of(product, rating=5, title="Great")
    review_of(product, rating=3, title="Fine")

    response = client.get(product.get_absolute_url())

    block = re.search(rb'<script type="application/ld\+json">(.*?)</script>', response.content, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": "4.00", "reviewCount": 2}
    # Most helpful first; with no votes yet, the newest.
    assert [(item["name"], item["reviewRating"]["ratingValue"]) for item in data["review"]] == [
        ("Fine", 3),
        ("Great", 5),
    ]
    assert data["review"][0]["author"] == {"@type": "Person", "name": "Ada L."}


def test_a_reviews_own_page_has_open_graph_tags_and_only_published_reviews_have_one(client):
    product = ProductFactory.create(title="Merino Scarf")
    review = review_of(product, rating=5, title="Soft and warm")
    pending = review_of(product, verified=False)

    response = client.get(review.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta property="og:title" content="5/5: Soft and warm (Merino Scarf)">' in html
    assert f'<meta property="og:url" content="http://testserver{review.get_absolute_url()}">' in html
    assert client.get(pending.get_absolute_url()).status_code == 404
    other = ProductFactory.create()
    assert client.get(f"/products/{other.slug}/reviews/{review.pk}/").status_code == 404


def test_writing_needs_an_account(client):
    product = ProductFactory.create()

    response = client.post(_write_url(product), _form())

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Review.objects.exists()


def test_a_verified_buyer_writes_a_review_with_a_photo_and_it_is_published(client, settings, tmp_path):
    _files_in(settings, tmp_path)
    product = ProductFactory.create()
    user = UserFactory.create()
    bought(user, product)
    client.force_login(user)

    response = client.post(_write_url(product), {**_form(), "photos": [_png()]})

    assert response.status_code == 302
    assert response["Location"] == f"{product.get_absolute_url()}#reviews"
    review = Review.objects.get()
    assert (review.status, review.verified_purchase, review.rating) == ("published", True, 4)
    photo = ReviewPhoto.objects.get()
    assert (photo.width, photo.height) == (800, 600)
    assert sorted(photo.renditions) == ["320", "640", "800"]
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Verified purchase" in page
    assert "review-photo" in page


def test_the_contract_path_takes_the_post_too(client):
    product = ProductFactory.create()
    client.force_login(UserFactory.create())

    response = client.post(reverse("reviews:reviews", kwargs={"slug": product.slug}), _form())

    assert response.status_code == 302
    assert Review.objects.get().status == "pending"
    assert client.get(reverse("reviews:reviews", kwargs={"slug": product.slug}))["Location"] == (
        f"{product.get_absolute_url()}#reviews"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rating": "6"}, "Select a valid choice"),
        ({"rating": ""}, "Choose from 1 to 5 stars."),
        ({"body": ""}, "This field is required."),
        ({"body": "short"}, "Write at least 10 characters"),
        ({"title": "x" * 121}, "at most 120 characters"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_reason_and_writes_nothing(client, changes, message):
    product = ProductFactory.create()
    client.force_login(UserFactory.create())

    response = client.post(_write_url(product), _form(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Review.objects.exists()


def test_a_photo_that_is_too_large_or_not_an_image_is_refused_with_the_reason(client, settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 1024 * 1024
    product = ProductFactory.create()
    client.force_login(UserFactory.create())
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (50 * 1024 * 1024), content_type="image/jpeg")
    fake = SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png")

    too_big = client.post(_write_url(product), {**_form(), "photos": [big]})
    not_image = client.post(_write_url(product), {**_form(), "photos": [fake]})

    assert too_big.status_code == 200
    assert "huge.jpg: The file is 50.0\xa0MB; images may be at most 1.0\xa0MB." in too_big.content.decode()
    assert not_image.status_code == 200
    assert "notes.png: The file is not an image" in not_image.content.decode()
    assert not Review.objects.exists()


def test_more_photos_than_allowed_are_refused(client, settings, tmp_path):
    settings.REVIEWS_PHOTOS_MAX = 2
    _files_in(settings, tmp_path)
    product = ProductFactory.create()
    client.force_login(UserFactory.create())

    response = client.post(
        _write_url(product), {**_form(), "photos": [_png(name=f"{n}.png") for n in range(3)]}
    )

    assert response.status_code == 200
    assert "A review may have up to 2 photos." in response.content.decode()
    assert not Review.objects.exists()


@override_settings(REVIEWS_REQUIRE_PURCHASE=True)
def test_when_a_purchase_is_required_the_form_says_so(client):
    product = ProductFactory.create()
    client.force_login(UserFactory.create())

    response = client.post(_write_url(product), _form())

    assert response.status_code == 200
    assert "Only customers who received this product can review it." in response.content.decode()
    assert not Review.objects.exists()


def test_the_form_edits_ones_review_and_deleting_it_takes_it_off(client):
    product = ProductFactory.create()
    review = review_of(product, rating=2)
    client.force_login(review.author)

    form = client.get(_write_url(product))
    client.post(_write_url(product), _form(rating="5", title="Better now"))
    deleted = client.post(reverse("reviews:delete", kwargs={"slug": product.slug, "pk": review.pk}))

    assert 'value="Does what it says"' in form.content.decode()
    assert "Edit your review" in form.content.decode()
    assert deleted.status_code == 302
    assert not Review.objects.exists()
    product.refresh_from_db()
    assert product.rating_count == 0


def test_another_persons_review_cannot_be_deleted(client):
    product = ProductFactory.create()
    review = review_of(product)
    client.force_login(UserFactory.create())

    response = client.post(reverse("reviews:delete", kwargs={"slug": product.slug, "pk": review.pk}))

    assert response.status_code == 404
    assert Review.objects.filter(pk=review.pk).exists()


def test_another_shopper_votes_helpful_once_and_the_author_cannot(client):
    product = ProductFactory.create()
    review = review_of(product)
    url = reverse("reviews:helpful", kwargs={"slug": product.slug, "pk": review.pk})
    client.force_login(UserFactory.create())

    client.post(url)
    again = client.post(url, follow=True)
    page = client.get(product.get_absolute_url()).content.decode()
    client.force_login(review.author)
    own = client.post(url, follow=True)

    assert "You told us already" in again.content.decode()
    assert "You found this helpful" in page
    assert "1 person found this helpful" in page
    assert "You cannot vote on your own review." in own.content.decode()
    assert ReviewVote.objects.count() == 1


def test_a_shopper_reports_a_review_with_a_reason(client):
    product = ProductFactory.create()
    review = review_of(product)
    url = reverse("reviews:report", kwargs={"slug": product.slug, "pk": review.pk})
    client.force_login(UserFactory.create())

    form = client.get(url)
    missing = client.post(url, {"reason": ""})
    sent = client.post(url, {"reason": "spam", "note": "Advertises another shop"})

    assert form.status_code == 200
    assert missing.status_code == 200
    assert sent.status_code == 302
    report = ReviewReport.objects.get()
    assert (report.reason, report.note) == ("spam", "Advertises another shop")


def test_a_review_not_published_cannot_be_voted_on_or_reported(client):
    product = ProductFactory.create()
    pending = review_of(product, verified=False)
    client.force_login(UserFactory.create())

    for name in ("helpful", "report"):
        assert (
            client.post(
                reverse(f"reviews:{name}", kwargs={"slug": product.slug, "pk": pending.pk}),
                {"reason": "spam"},
            ).status_code
            == 404
        )

    assert not ReviewVote.objects.exists()
    assert not ReviewReport.objects.exists()


def test_my_reviews_lists_each_with_its_status_and_the_reason_of_a_rejection(client):
    from reviews.services import reviews_reject

    user = UserFactory.create()
    published = review_of(ProductFactory.create(title="Scarf"), user=user)
    rejected = review_of(ProductFactory.create(title="Mug"), user=user)
    reviews_reject(
        review_ids=[rejected.pk], by=UserFactory.create(is_staff=True), reason="Please keep to the product."
    )
    client.force_login(user)

    text = _text(client.get(reverse("reviews:mine")).content)

    assert published.title in text
    assert "Published" in text
    assert "Not published Please keep to the product." in text
