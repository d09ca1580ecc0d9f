import pytest

from orders.privacy import account_delete, personal_data_export
from reviews.models import Purchase, Review, ReviewReport, ReviewVote
from reviews.services import review_report, review_vote_helpful
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from tests.reviews.factories import review_of

pytestmark = pytest.mark.django_db


def test_the_data_export_holds_the_persons_reviews_votes_reports_and_purchases():
    user = UserFactory.create()
    product = ProductFactory.create(title="Merino Scarf")
    review_of(product, user=user, rating=4, title="Warm")
    other = review_of(ProductFactory.create())
    review_vote_helpful(review=other, user=user)
    review_report(review=other, user=user, reason="spam", note="An advert")

    data = personal_data_export(user=user)["reviews"]

    assert [
        (r["product"], r["rating"], r["title"], r["status"], r["verified_purchase"]) for r in data["reviews"]
    ] == [("Merino Scarf", 4, "Warm", "published", True)]
    assert data["helpful_votes"] == [other.pk]
    assert data["reports"] == [{"review": other.pk, "reason": "spam", "note": "An advert"}]
    assert data["verified_purchases"] == [{"order": "ORDER-1", "product": "Merino Scarf"}]


def test_deleting_the_account_deletes_its_reviews_and_votes_and_the_ratings_follow():
    user = UserFactory.create()
    product = ProductFactory.create()
    review_of(product, user=user, rating=1)
    review_of(product, rating=5)
    other = review_of(ProductFactory.create())
    review_vote_helpful(review=other, user=user)
    review_report(review=other, user=user, reason="spam")

    account_delete(user=user)

    assert not Review.objects.filter(author=user).exists()
    assert not ReviewVote.objects.exists()
    assert not ReviewReport.objects.exists()
    assert not Purchase.objects.filter(user=user).exists()
    product.refresh_from_db()
    other.refresh_from_db()
    assert (product.rating_count, str(product.rating_average)) == (1, "5.00")
    assert other.helpful_count == 0
