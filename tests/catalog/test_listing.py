"""/products/ and /categories/<slug>/: filters, sorting, facets, pagination
and bad input, on whichever database runs the suite."""

import pytest
from django.urls import reverse

from catalog.models import Category
from tests.catalog.factories import ProductFactory
from tests.catalog.listing_data import shop_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:product_list")


@pytest.fixture
def shop():
    return shop_create()


def titles(response):
    return [product.title for product in response.context["listing"].page.object_list]


def facet(response, name):
    return [(v.value, v.count) for v in getattr(response.context["listing"].facets, name)]


def test_listing_shows_active_products_newest_first(client, shop):
    response = client.get(LIST)

    assert response.status_code == 200
    assert titles(response) == ["Coffee Mug", "Leather Jacket", "Red Wool Jacket", "Blue Rain Jacket"]
    assert "Hidden Jacket" not in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Coffee Mug", "Leather Jacket", "Red Wool Jacket", "Blue Rain Jacket"]),
        ("price_asc", ["Coffee Mug", "Blue Rain Jacket", "Red Wool Jacket", "Leather Jacket"]),
        ("price_desc", ["Leather Jacket", "Red Wool Jacket", "Blue Rain Jacket", "Coffee Mug"]),
        ("best_selling", ["Coffee Mug", "Red Wool Jacket", "Blue Rain Jacket", "Leather Jacket"]),
        ("top_rated", ["Coffee Mug", "Blue Rain Jacket", "Red Wool Jacket", "Leather Jacket"]),
    ],
)
def test_each_sort_orders_the_products(client, shop, sort, expected):
    response = client.get(LIST, {"sort": sort})

    assert titles(response) == expected
    assert response.context["listing"].sort == sort


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "jackets"}, ["Leather Jacket", "Red Wool Jacket", "Blue Rain Jacket"]),
        ({"category": "rain"}, ["Blue Rain Jacket"]),
        ({"category": ["rain", "home"]}, ["Coffee Mug", "Blue Rain Jacket"]),
        ({"brand": "acme"}, ["Leather Jacket", "Blue Rain Jacket"]),
        (
            {"brand": ["acme", "borealis"]},
            ["Coffee Mug", "Leather Jacket", "Red Wool Jacket", "Blue Rain Jacket"],
        ),
        ({"tag": "sale"}, ["Coffee Mug", "Blue Rain Jacket"]),
        ({"min_price": "80", "max_price": "120"}, ["Red Wool Jacket", "Blue Rain Jacket"]),
        ({"max_price": "9.50"}, ["Coffee Mug"]),
        ({"in_stock": "1"}, ["Coffee Mug", "Leather Jacket", "Blue Rain Jacket"]),
        ({"rating": "4"}, ["Coffee Mug", "Blue Rain Jacket"]),
        ({"rating": "3"}, ["Coffee Mug", "Red Wool Jacket", "Blue Rain Jacket"]),
        ({"option": "Size:M"}, ["Red Wool Jacket", "Blue Rain Jacket"]),
        ({"option": ["Size:S", "Size:L"]}, ["Red Wool Jacket", "Blue Rain Jacket"]),
        ({"option": ["Size:M", "Colour:Red"]}, ["Red Wool Jacket"]),
        ({"brand": "acme", "category": "jackets", "in_stock": "1"}, ["Leather Jacket", "Blue Rain Jacket"]),
    ],
)
def test_each_filter_narrows_the_products(client, shop, query, expected):
    response = client.get(LIST, query)

    assert response.status_code == 200
    assert titles(response) == expected
    assert response.context["notes"] == []


def test_facets_count_each_value_in_the_current_result(client, shop):
    response = client.get(LIST, {"category": "clothing"})
    facets = response.context["listing"].facets

    assert (facets.total, facets.in_stock) == (3, 2)
    assert (str(facets.price_low), str(facets.price_high)) == ("80.00", "200.00")
    assert facet(response, "brands") == [("acme", 2), ("borealis", 1)]
    assert facet(response, "tags") == [("waterproof", 2), ("sale", 1)]
    assert facet(response, "categories") == [("jackets", 3)]  # the children of the chosen category
    assert facet(response, "ratings") == [("4", 1), ("3", 2), ("2", 2), ("1", 2)]
    assert {name: [(v.value, v.count) for v in values] for name, values in facets.options.items()} == {
        "Size": [("Size:S", 1), ("Size:M", 2), ("Size:L", 1)],  # by their average position
        "Colour": [("Colour:Blue", 1), ("Colour:Red", 1)],
    }


def test_top_level_category_facet_counts_products_of_descendants(client, shop):
    response = client.get(LIST)

    assert facet(response, "categories") == [("clothing", 3), ("home", 1)]
    assert [(v.value, v.selected) for v in response.context["listing"].facets.brands] == [
        ("acme", False),
        ("borealis", False),
    ]


def test_a_kinds_own_filter_leaves_its_other_values_on_offer_with_counts(client, shop):
    # Size M narrows to the Blue (Acme) and Red (Borealis) jackets; choosing
    # Acme must still offer Borealis, counted under the other filters.
    response = client.get(LIST, {"brand": "acme", "option": "Size:M"})

    assert [p.title for p in response.context["page_obj"].object_list] == ["Blue Rain Jacket"]
    assert facet(response, "brands") == [("acme", 1), ("borealis", 1)]
    assert [(v.label, v.count) for v in response.context["listing"].facets.options["Size"]] == [
        ("S", 1),
        ("M", 1),
    ]


def test_selected_facet_values_are_marked(client, shop):
    response = client.get(LIST, {"brand": "acme", "option": "Size:M"})

    assert [(v.value, v.selected) for v in response.context["listing"].facets.brands] == [
        ("acme", True),
        ("borealis", False),
    ]
    assert [(v.value, v.selected) for v in response.context["listing"].facets.options["Size"]] == [
        ("Size:S", False),
        ("Size:M", True),
    ]
    assert 'name="brand" value="acme" checked' in response.text


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"min_price": "abc"}, "Minimum price “abc” was ignored: Enter a number."),
        (
            {"max_price": "-5"},
            "Maximum price “-5” was ignored: Ensure this value is greater than or equal to 0.",
        ),
        ({"page": "abc"}, "Page “abc” was ignored: Enter a whole number."),
        ({"per_page": "1000"}, "Per page “1000” was ignored"),
        ({"sort": "cheapest"}, "Sort by “cheapest” was ignored"),
        ({"rating": "9"}, "Customer rating “9” was ignored"),
        ({"brand": "nope"}, "There is no brand “nope”, so that filter was ignored."),
        ({"category": "nope"}, "There is no category “nope”, so that filter was ignored."),
        ({"tag": "nope"}, "There is no tag “nope”, so that filter was ignored."),
        ({"brand": "<script>"}, "Brand “&lt;script&gt;” was not understood, so it was ignored."),
        ({"option": "Size"}, "Option “Size” was not understood, so it was ignored."),
        ({"q": "x" * 5000}, "Your search was shortened to its first 200 characters."),
        ({"page": "99999"}, "There is no page 99999; this is the last page, 1."),
    ],
)
def test_bad_query_strings_are_ignored_with_a_visible_note(client, shop, query, note):
    response = client.get(LIST, query)

    assert response.status_code == 200
    assert note in response.text


def test_an_ignored_filter_leaves_the_others_working(client, shop):
    response = client.get(LIST, {"min_price": "abc", "brand": ["nope", "acme"], "per_page": "1000"})

    assert titles(response) == ["Leather Jacket", "Blue Rain Jacket"]
    assert response.context["page_obj"].paginator.per_page == 24


def test_a_minimum_above_the_maximum_is_swapped(client, shop):
    response = client.get(LIST, {"min_price": "120", "max_price": "80"})

    assert titles(response) == ["Red Wool Jacket", "Blue Rain Jacket"]
    assert "The minimum price was above the maximum, so they were swapped." in response.text


def test_pages_keep_the_filters_in_their_links_and_an_out_of_range_page_is_the_last(client, shop):
    ProductFactory.create_batch(25, brand=shop.mug.brand)

    first = client.get(LIST, {"brand": "borealis", "per_page": "12", "sort": "price_asc"})
    last = client.get(LIST, {"brand": "borealis", "per_page": "12", "sort": "price_asc", "page": "99999"})

    assert first.context["page_obj"].paginator.count == 27
    assert first.context["page_obj"].paginator.num_pages == 3
    assert 'href="?brand=borealis&amp;per_page=12&amp;sort=price_asc&amp;page=2" rel="next"' in first.text
    assert last.context["page_obj"].number == 3
    assert len(titles(last)) == 3
    assert titles(last)[-1] == "Red Wool Jacket"  # 9.50, then 25 at 19.99, the dearest last


def test_a_filter_chip_links_to_the_listing_without_that_filter(client, shop):
    response = client.get(LIST, {"brand": ["acme", "borealis"], "in_stock": "1", "page": "1"})

    assert response.context["chips"] == [
        ("Acme", "brand=borealis&in_stock=1"),
        ("Borealis", "brand=acme&in_stock=1"),
        ("In stock", "brand=acme&brand=borealis"),
    ]


def test_inactive_products_are_visible_and_marked_for_staff(client, shop):
    client.force_login(UserFactory.create(is_staff=True))

    response = client.get(LIST, {"category": "jackets"})

    assert "Hidden Jacket" in titles(response)
    assert "Inactive: hidden from shoppers" in response.text


def test_category_page_lists_its_descendants_products_with_breadcrumbs_and_subcategories(client, shop):
    response = client.get(reverse("catalog:category", kwargs={"slug": "jackets"}), {"sort": "price_asc"})

    assert response.status_code == 200
    assert titles(response) == ["Blue Rain Jacket", "Red Wool Jacket", "Leather Jacket"]
    page = response.context["category_page"]
    assert [c.slug for c in page.ancestors] == ["clothing"]
    assert [c.slug for c in page.children] == ["rain"]
    assert facet(response, "categories") == [("rain", 1)]
    assert '<a href="/categories/clothing/">Clothing</a>' in response.text


def test_category_page_takes_the_same_filters(client, shop):
    response = client.get(reverse("catalog:category", kwargs={"slug": "clothing"}), {"brand": "borealis"})

    assert titles(response) == ["Red Wool Jacket"]


def test_unknown_category_is_404(client, shop):
    assert client.get(reverse("catalog:category", kwargs={"slug": "nope"})).status_code == 404


def test_inactive_category_is_404_for_shoppers_and_visible_to_staff(client, shop):
    Category.objects.filter(pk=shop.jackets.pk).update(is_active=False)
    url = reverse("catalog:category", kwargs={"slug": "jackets"})

    shopper = client.get(url)
    below = client.get(reverse("catalog:category", kwargs={"slug": "rain"}))
    listing = client.get(LIST)
    client.force_login(UserFactory.create(is_staff=True))
    staff = client.get(url)

    assert (shopper.status_code, below.status_code) == (404, 404)
    assert facet(listing, "categories") == [("clothing", 3), ("home", 1)]
    assert staff.status_code == 200
    assert "Inactive: hidden from shoppers" in staff.text


def test_an_inactive_category_as_a_filter_is_ignored_for_shoppers(client, shop):
    Category.objects.filter(pk=shop.home.pk).update(is_active=False)

    response = client.get(LIST, {"category": "home"})

    assert "There is no category “home”, so that filter was ignored." in response.text
    assert len(titles(response)) == 4


def test_empty_result_says_so(client, shop):
    response = client.get(LIST, {"brand": "acme", "tag": "sale", "min_price": "100"})

    assert titles(response) == []
    assert "No products match these filters." in response.text
