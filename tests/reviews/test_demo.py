import io
import re
from collections import Counter
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from accounts.models import User
from catalog.models import Product
from catalog.seeding import demo_catalog_seed
from reviews.demo import MOST_REVIEWS, demo_reviewer_emails, demo_reviews_create
from reviews.models import Review, ReviewVote
from reviews.services import ReviewInput, review_input_check, text_has_contact
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from tests.reviews.factories import review_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One media folder for the session: the demo pictures are drawn once.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def catalog() -> list[Product]:
    demo_catalog_seed(products=30)
    return list(Product.objects.order_by("pk"))


def _reviews() -> list[tuple[Any, ...]]:
    return list(
        Review.objects.order_by("product__slug", "author__email").values_list(
            "product__slug", "author__email", "author_name", "rating", "title", "body", "variant_label",
            "helpful_count", "reply", "status", "verified_purchase",
        )
    )  # fmt: skip


def _ratings() -> list[tuple[Any, ...]]:
    return list(
        Product.objects.order_by("pk").values_list(
            "pk", "rating_count", "rating_average", "rating_histogram", "rating_score"
        )
    )


def test_the_command_adds_published_reviews_by_demo_reviewers_to_part_of_the_catalog(
    catalog: list[Product],
) -> None:
    out = io.StringIO()

    call_command("reviews_demo", "--no-progress", stdout=out)

    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"30/30 products checked \(\d+s\)", lines[0].strip())
    reviews = Review.objects.count()
    reviewed = Review.objects.values("product").distinct().count()
    assert re.match(
        rf"Demo reviews: {reviews} reviews created on {reviewed} of 30 demo products \(\d+ helpful votes, "
        rf"\d+ shop replies\), 0 products had them already; 40 reviewer accounts created in ",
        lines[-1],
    )
    # A good share of the products, not all, with up to twelve reviews each.
    assert 10 <= reviewed < 30
    per_product = Counter(Review.objects.values_list("product_id", flat=True))
    assert max(per_product.values()) <= MOST_REVIEWS
    assert reviews > reviewed  # several reviews on some products
    # Forty reviewers who cannot sign in, with verified addresses.
    reviewers = User.objects.filter(email__in=demo_reviewer_emails())
    assert reviewers.count() == 40
    assert not any(user.has_usable_password() for user in reviewers)
    assert EmailAddress.objects.filter(user__in=reviewers, verified=True, primary=True).count() == 40
    assert set(Review.objects.values_list("author__email", flat=True)) <= set(demo_reviewer_emails())
    # Mostly good stars, some bad; some variants, votes and replies.
    stars = Counter(Review.objects.values_list("rating", flat=True))
    assert stars[5] + stars[4] > 2 * (stars[1] + stars[2])
    assert Review.objects.exclude(variant_label="").exists()
    assert Review.objects.filter(helpful_count__gt=0).exists()


def test_the_products_ratings_match_their_reviews(catalog: list[Product]) -> None:
    demo_reviews_create()

    for product in Product.objects.all():
        stars = list(Review.objects.filter(product=product).values_list("rating", flat=True))
        counts = Counter(stars)
        assert product.rating_count == len(stars)
        if not stars:
            assert (product.rating_average, product.rating_score) == (None, None)
            assert product.rating_histogram == {}  # as seed_demo left it: the column's default
            continue
        average = (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert product.rating_average == average
        assert product.rating_histogram == {str(n): counts[n] for n in range(1, 6)}
        assert product.rating_score is not None


def test_every_review_is_published_and_within_the_limits_of_the_form(catalog: list[Product]) -> None:
    demo_reviews_create()

    now = timezone.now()
    reviews = Review.objects.select_related("product", "variant").prefetch_related("votes")
    assert reviews.exists()
    for review in reviews:
        assert (review.status, review.held, review.verified_purchase) == ("published", "", False)
        assert 1 <= review.rating <= 5
        assert 0 < len(review.title) <= 120
        assert 10 <= len(review.body) <= 5000
        data = ReviewInput(
            rating=review.rating,
            title=review.title,
            body=review.body,
            author_name=review.author_name,
            variant=review.variant,
        )
        assert review_input_check(product=review.product, data=data) == {}
        assert not text_has_contact(f"{review.title}\n{review.body}\n{review.reply}")
        assert "{" not in review.title + review.body + review.reply
        published = review.published_at
        assert published is not None
        assert now - timedelta(days=250) < published <= now
        assert published - timedelta(days=4) < review.created_at < published  # waited for moderation
        assert review.moderated_at == published
        assert review.updated_at == (review.replied_at or published)
        if review.reply:
            assert review.replied_at is not None
            assert published < review.replied_at <= now
        # The "helpful" count is the votes of other reviewers.
        voters = [vote.user_id for vote in review.votes.all()]
        assert review.helpful_count == len(voters) == len(set(voters))
        assert review.author_id not in voters
    assert reviews.filter(reply="").exists()
    assert reviews.exclude(reply="").exists()
    # Spread over months, not written in one afternoon.
    dates = [(review.created_at, review.published_at) for review in reviews if review.published_at]
    first, last = min(when for _created, when in dates), max(when for _created, when in dates)
    assert (last - first).days > 60
    assert len({when - created for created, when in dates}) > 3


def test_a_second_run_changes_nothing(catalog: list[Product]) -> None:
    first = demo_reviews_create()
    reviews, ratings, votes, users = _reviews(), _ratings(), ReviewVote.objects.count(), User.objects.count()

    again = demo_reviews_create()

    assert (again.reviews_created, again.reviewers_created, again.products_reviewed) == (0, 0, 0)
    assert again.products_existing == first.products_reviewed
    assert (_reviews(), _ratings()) == (reviews, ratings)
    assert (ReviewVote.objects.count(), User.objects.count()) == (votes, users)


def test_the_reviews_are_the_same_for_the_same_seed_and_a_larger_n_adds_only_the_missing(
    catalog: list[Product],
) -> None:
    demo_reviews_create()
    everything, ratings = _reviews(), _ratings()
    Review.objects.all().delete()

    few = demo_reviews_create(products=10)
    first_ten = {product.slug for product in catalog[:10]}
    assert set(Review.objects.values_list("product__slug", flat=True)) <= first_ten
    assert few.products_checked == 10
    rest = demo_reviews_create()

    assert rest.products_existing == few.products_reviewed
    assert (_reviews(), _ratings()) == (everything, ratings)


def test_products_outside_the_demo_catalog_and_other_peoples_reviews_are_left_alone(
    catalog: list[Product],
) -> None:
    other = ProductFactory.create()
    product = catalog[0]
    shopper = UserFactory.create()
    review_of(product, rating=1, user=shopper)

    demo_reviews_create()

    assert not Review.objects.filter(product=other).exists()
    assert Review.objects.filter(product=product, author=shopper).count() == 1
    product.refresh_from_db()
    assert product.rating_count == Review.objects.filter(product=product).count()


def test_the_queries_do_not_grow_with_the_reviews(catalog: list[Product]) -> None:
    demo_reviews_create(products=0)  # the reviewers, so that only the reviews are measured

    with CaptureQueriesContext(connection) as queries:
        result = demo_reviews_create()

    statements = [query["sql"] for query in queries.captured_queries]
    assert sum(sql.startswith('INSERT INTO "reviews_review"') for sql in statements) == 1
    assert sum(sql.startswith('INSERT INTO "reviews_reviewvote"') for sql in statements) == 1
    # The rating of each product reviewed costs an aggregate and an update
    # (product_ratings_rebuild); the rest is a constant number per batch.
    assert result.reviews_created > 3 * result.products_reviewed / 2
    assert len(statements) <= 20 + 2 * result.products_reviewed
