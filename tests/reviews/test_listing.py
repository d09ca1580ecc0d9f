import re

import pytest

from reviews.services import review_delete
from tests.catalog.factories import ProductFactory
from tests.reviews.factories import review_of

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return re.findall(r'<h3 class="product-card-title">([^<]+)</h3>', response.content.decode())


def test_top_rated_ranks_many_good_reviews_above_one_perfect_one(client):
    one = ProductFactory.create(title="One Perfect")
    many = ProductFactory.create(title="Many Good")
    none = ProductFactory.create(title="Unrated")
    review_of(one, rating=5)
    for rating in (5, 5, 4, 5, 4, 5, 5, 4):
        review_of(many, rating=rating)

    response = client.get("/products/", {"sort": "top_rated"})

    assert _titles(response) == [many.title, one.title, none.title]


def test_cards_show_stars_and_count_and_the_rating_filter_uses_the_average(client):
    good = ProductFactory.create(title="Good Lamp")
    poor = ProductFactory.create(title="Poor Lamp")
    review_of(good, rating=5)
    review_of(good, rating=4)
    review_of(poor, rating=2)

    listing = client.get("/products/").content.decode()
    filtered = client.get("/products/", {"rating": "4"})

    assert "Rated 4.5 of 5 (2 reviews)" in listing
    assert 'class="stars stars-45" role="img" aria-label="Rated 4.5 of 5 (2 reviews)"' in listing
    assert _titles(filtered) == [good.title]


def test_a_card_shows_the_new_rating_at_once_though_cards_are_cached(client, settings):
    settings.CATALOG_CARD_CACHE_SECONDS = 300
    product = ProductFactory.create(title="Desk Lamp")
    first = review_of(product, rating=5)
    assert "(1 review)" in client.get("/products/").content.decode()

    review_of(product, rating=3)
    after_second = client.get("/products/").content.decode()
    review_delete(review=first)
    after_delete = client.get("/products/").content.decode()

    assert "Rated 4.0 of 5 (2 reviews)" in after_second
    assert "Rated 3.0 of 5 (1 review)" in after_delete
