from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from catalog.models import Product
from notifications.models import Notification
from reviews.models import Review, ReviewReport
from reviews.services import (
    ReviewInput,
    ReviewRefused,
    review_delete,
    review_reply_set,
    review_report,
    review_vote_helpful,
    review_write,
    reviews_approve,
    reviews_reject,
)
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from tests.reviews.factories import bought, review_of

pytestmark = pytest.mark.django_db


def _data(**changes: Any) -> ReviewInput:
    values: dict[str, Any] = {
        "rating": 4,
        "title": "Nice",
        "body": "Warm and soft, fits well.",
        "author_name": "Ada L.",
    }
    values.update(changes)
    return ReviewInput(**values)


def _rating(product: Product) -> tuple[int, Decimal | None, dict[str, int], Decimal | None]:
    product.refresh_from_db()
    return product.rating_count, product.rating_average, product.rating_histogram, product.rating_score


def test_a_verified_buyers_review_publishes_at_once_and_moves_the_rating():
    product = ProductFactory.create()

    review = review_of(product, rating=4)
    review_of(product, rating=5)

    assert review.status == Review.Status.PUBLISHED
    assert review.verified_purchase is True
    assert review.published_at is not None
    assert _rating(product) == (
        2,
        Decimal("4.50"),
        {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
        Decimal("3.786"),  # (5 x 3.5 + 9) / 7
    )


def test_a_review_by_someone_who_never_received_the_product_waits_and_counts_for_nothing():
    product = ProductFactory.create()

    review = review_of(product, verified=False)

    assert (review.status, review.held, review.verified_purchase) == ("pending", "unverified", False)
    assert _rating(product)[:2] == (0, None)


@pytest.mark.parametrize(
    "body",
    ["Great, more at www.cheap-deals.example", "Mail me at ada@example.org", "see https://x.example/y"],
)
def test_a_link_or_an_address_holds_even_a_verified_review(body):
    product = ProductFactory.create()

    review = review_of(product, body=body)

    assert (review.status, review.held) == ("pending", "links")


@override_settings(REVIEWS_PUBLISH_VERIFIED=False)
def test_the_shop_may_moderate_every_review():
    review = review_of(ProductFactory.create())

    assert (review.status, review.held) == ("pending", "setting")


@override_settings(REVIEWS_REQUIRE_PURCHASE=True)
def test_when_a_purchase_is_required_a_review_without_one_is_refused_and_nothing_is_written():
    product = ProductFactory.create()
    user = UserFactory.create()

    with pytest.raises(ReviewRefused, match="Only customers who received this product"):
        review_write(user=user, product=product, data=_data())

    assert not Review.objects.exists()


def test_writing_again_edits_the_one_review_and_the_rating_follows():
    product = ProductFactory.create()
    user = UserFactory.create()
    bought(user, product)
    first = review_write(user=user, product=product, data=_data(rating=2))

    second = review_write(user=user, product=product, data=_data(rating=5, title="Changed my mind"))

    assert second.pk == first.pk
    assert Review.objects.count() == 1
    assert _rating(product)[:2] == (1, Decimal("5.00"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"body": "short"}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"author_name": ""}, "author_name"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_changes_nothing(changes, field):
    product = ProductFactory.create()

    with pytest.raises(ReviewRefused) as refused:
        review_write(user=UserFactory.create(), product=product, data=_data(**changes))

    assert field in refused.value.message_dict
    assert not Review.objects.exists()


def test_a_variant_of_another_product_is_refused():
    product, other = ProductFactory.create(), ProductFactory.create()

    with pytest.raises(ReviewRefused) as refused:
        review_write(user=UserFactory.create(), product=product, data=_data(variant=other.variants.get()))

    assert "variant" in refused.value.message_dict


@override_settings(REVIEWS_PER_DAY=2)
def test_a_person_writes_at_most_so_many_reviews_a_day():
    user = UserFactory.create()
    for _n in range(2):
        review_write(user=user, product=ProductFactory.create(), data=_data())

    with pytest.raises(ReviewRefused, match="2 reviews today"):
        review_write(user=user, product=ProductFactory.create(), data=_data())

    Review.objects.update(updated_at=timezone.now() - timedelta(days=2))
    review_write(user=user, product=ProductFactory.create(), data=_data())
    assert Review.objects.count() == 3


def test_deleting_a_review_takes_it_out_of_the_rating():
    product = ProductFactory.create()
    review = review_of(product, rating=1)
    review_of(product, rating=5)

    review_delete(review=review)

    assert _rating(product)[:3] == (1, Decimal("5.00"), {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1})


def test_a_helpful_vote_counts_once_per_person_and_never_on_ones_own_review():
    review = review_of(ProductFactory.create())
    voter = UserFactory.create()

    assert review_vote_helpful(review=review, user=voter) is True
    assert review_vote_helpful(review=review, user=voter) is False
    with pytest.raises(ReviewRefused, match="your own review"):
        review_vote_helpful(review=review, user=review.author)

    review.refresh_from_db()
    assert review.helpful_count == 1


@override_settings(REVIEWS_REPORTS_TO_HOLD=2)
def test_enough_reports_take_a_review_back_to_moderation_and_out_of_the_rating():
    product = ProductFactory.create()
    review = review_of(product)
    first, second = UserFactory.create(), UserFactory.create()

    assert review_report(review=review, user=first, reason="spam") is True
    assert review_report(review=review, user=first, reason="spam") is False  # once per person
    review.refresh_from_db()
    assert (review.status, review.report_count) == ("published", 1)

    review_report(review=review, user=second, reason="offensive", note="Insults the staff")

    review.refresh_from_db()
    assert (review.status, review.held, review.report_count) == ("pending", "reported", 2)
    assert _rating(product)[0] == 0
    assert ReviewReport.objects.count() == 2


def test_a_report_needs_a_known_reason():
    review = review_of(ProductFactory.create())

    with pytest.raises(ReviewRefused):
        review_report(review=review, user=UserFactory.create(), reason="because")

    assert not ReviewReport.objects.exists()


def test_approval_publishes_clears_reports_and_tells_the_author_once(django_capture_on_commit_callbacks):
    product = ProductFactory.create()
    review = review_of(product, verified=False, rating=3)
    staff = UserFactory.create(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert reviews_approve(review_ids=[review.pk], by=staff) == 1

    review.refresh_from_db()
    assert (review.status, review.held, review.report_count, review.moderated_by) == (
        "published",
        "",
        0,
        staff,
    )
    assert _rating(product)[:2] == (1, Decimal("3.00"))
    told = Notification.objects.get(kind="reviews.published")
    assert told.email == review.author.email
    assert product.title in told.subject


def test_rejection_needs_a_reason_and_tells_the_author_with_it(django_capture_on_commit_callbacks):
    product = ProductFactory.create()
    review = review_of(product)
    staff = UserFactory.create(is_staff=True)

    with pytest.raises(ReviewRefused):
        reviews_reject(review_ids=[review.pk], by=staff, reason="  ")
    reviews_reject(review_ids=[review.pk], by=staff, reason="Please keep to the product.")

    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == ("rejected", "Please keep to the product.")
    assert _rating(product)[0] == 0
    told = Notification.objects.get(kind="reviews.rejected")
    assert "Please keep to the product." in told.text


def test_an_edit_of_a_rejected_review_goes_back_to_the_moderators():
    product = ProductFactory.create()
    review = review_of(product)
    reviews_reject(review_ids=[review.pk], by=UserFactory.create(is_staff=True), reason="Off topic")

    edited = review_write(
        user=review.author, product=product, data=_data(body="Now about the product itself.")
    )

    assert (edited.status, edited.held, edited.rejection_reason) == ("pending", "edited", "")


def test_the_shops_reply_is_public_and_its_author_is_told():
    review = review_of(ProductFactory.create())

    review_reply_set(review=review, reply="Thank you, Ada!", by=UserFactory.create(is_staff=True))

    review.refresh_from_db()
    assert review.reply == "Thank you, Ada!"
    assert review.replied_at is not None
    assert Notification.objects.filter(kind="reviews.replied").count() == 1


def test_after_a_moderator_decided_a_person_may_report_the_review_again():
    review = review_of(ProductFactory.create())
    reporter = UserFactory.create()
    review_report(review=review, user=reporter, reason="spam")

    reviews_approve(review_ids=[review.pk], by=UserFactory.create(is_staff=True))

    assert review_report(review=review, user=reporter, reason="offensive") is True
    review.refresh_from_db()
    assert review.report_count == 1
    assert ReviewReport.objects.filter(handled_at__isnull=False).count() == 1


def test_rejecting_a_rejected_review_again_tells_its_author_nothing_more():
    review = review_of(ProductFactory.create())
    staff = UserFactory.create(is_staff=True)
    reviews_reject(review_ids=[review.pk], by=staff, reason="Off topic")

    assert reviews_reject(review_ids=[review.pk], by=staff, reason="Still off topic") == 0

    assert Notification.objects.filter(kind="reviews.rejected").count() == 1


def test_the_rebuild_command_recomputes_ratings_after_the_prior_changed(settings):
    from django.core.management import call_command

    product = ProductFactory.create()
    review_of(product, rating=5)
    settings.REVIEWS_RANK_PRIOR_MEAN = "1.0"

    call_command("reviews_ratings_rebuild", "--no-progress", stdout=StringIO())

    assert _rating(product)[3] == Decimal("1.667")  # (5 x 1 + 5) / 6
