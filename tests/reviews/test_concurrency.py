"""Ratings under real concurrent transactions on PostgreSQL: threads with
their own connections publish, reject, delete, write and vote at the same
moment. Every change recomputes the rating under the product's lock, so the
columns end equal to the reviews, not to the last writer's view of them."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from catalog.models import Product
from reviews.models import Review
from reviews.services import (
    ReviewInput,
    rating_compute,
    review_delete,
    review_report,
    review_vote_helpful,
    review_write,
    reviews_approve,
    reviews_reject,
)
from tests.catalog.factories import ProductFactory
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from tests.reviews.factories import bought, review_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _assert_rating_is_the_reviews(product: Product) -> None:
    product.refresh_from_db()
    counts = dict(
        Review.objects.filter(product=product, status="published")
        .values_list("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    truth = rating_compute(counts)
    assert (product.rating_count, product.rating_average, product.rating_histogram, product.rating_score) == (
        truth.count,
        truth.average,
        truth.histogram,
        truth.score,
    )


def test_publishing_rejecting_deleting_and_writing_at_once_leave_the_rating_exact():
    product = ProductFactory.create()
    published = [review_of(product, rating=1 + n % 5) for n in range(12)]
    pending = [review_of(product, rating=5, verified=False) for _n in range(8)]
    writers = [UserFactory.create() for _n in range(8)]
    for writer in writers:
        bought(writer, product)
    staff = UserFactory.create(is_staff=True)

    def work(n: int) -> str:
        if n < 8:
            reviews_approve(review_ids=[pending[n].pk], by=staff)
            return "approved"
        if n < 14:
            reviews_reject(review_ids=[published[n - 8].pk], by=staff, reason="Off topic")
            return "rejected"
        if n < 18:
            review_delete(review=Review.objects.get(pk=published[n - 14 + 6].pk))
            return "deleted"
        review_write(
            user=get_user_model().objects.get(pk=writers[n - 18].pk),
            product=product,
            data=ReviewInput(rating=2, title="Meh", body="It broke after a week.", author_name="Bo"),
        )
        return "written"

    outcomes = run_in_threads(26, work)

    assert outcomes == Counter({"approved": 8, "rejected": 6, "deleted": 4, "written": 8})
    # 12 published - 6 rejected - 4 deleted + 8 approved + 8 written
    assert Review.objects.filter(product=product, status="published").count() == 18
    _assert_rating_is_the_reviews(product)
    product.refresh_from_db()
    assert product.rating_count == 18


def test_twenty_helpful_votes_at_once_count_twenty():
    review = review_of(ProductFactory.create())
    voters = [UserFactory.create() for _n in range(20)]

    outcomes = run_in_threads(20, lambda n: str(review_vote_helpful(review=review, user=voters[n])))

    assert outcomes == Counter({"True": 20})
    review.refresh_from_db()
    assert review.helpful_count == 20


def test_reports_at_once_hold_the_review_once_they_reach_the_limit(settings):
    settings.REVIEWS_REPORTS_TO_HOLD = 3
    product = ProductFactory.create()
    review = review_of(product, rating=1)
    review_of(product, rating=5)
    reporters = [UserFactory.create() for _n in range(10)]

    outcomes = run_in_threads(
        10, lambda n: str(review_report(review=review, user=reporters[n], reason="spam"))
    )

    assert outcomes == Counter({"True": 10})
    review.refresh_from_db()
    assert (review.status, review.held, review.report_count) == ("pending", "reported", 10)
    _assert_rating_is_the_reviews(product)
    assert product.rating_count == 1
