import pytest

from reviews.models import ReviewPhoto
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from tests.reviews.factories import review_of

pytestmark = pytest.mark.django_db

# tests/catalog/test_product_page.py: the product page's budget without reviews.
PRODUCT_PAGE_BUDGET = 10


def _reviewed(count: int):
    product = ProductFactory.create()
    for n in range(count):
        review = review_of(product, rating=1 + n % 5)
        for position in range(2):
            ReviewPhoto.objects.create(
                review=review, image=f"reviews/{n}-{position}.jpg", width=800, height=600, position=position,
                renditions={"320": f"reviews/{n}-{position}-320w.webp"},
            )  # fmt: skip
    return product


@pytest.mark.parametrize("count", [1, 10])
def test_the_product_page_with_reviews_on_show_adds_at_most_two_queries(
    client, django_assert_max_num_queries, count
):
    product = _reviewed(count)

    with django_assert_max_num_queries(PRODUCT_PAGE_BUDGET + 2):
        response = client.get(product.get_absolute_url())

    assert response.content.decode().count('class="review"') == count
    assert response.content.decode().count('class="review-photo"') == 2 * count


def test_a_signed_in_shopper_sees_votes_and_their_own_review_in_one_more_query(
    client, django_assert_max_num_queries
):
    product = _reviewed(10)
    client.force_login(UserFactory.create())
    client.get(product.get_absolute_url())  # the session's first request writes it

    with django_assert_max_num_queries(PRODUCT_PAGE_BUDGET + 2 + 1 + 2):  # own review; session and user
        response = client.get(product.get_absolute_url())

    assert response.content.decode().count('class="review"') == 10
