"""Listing and category pages run the same small number of queries whatever
the page size, the number of variants and the number of images."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product, ProductImage, ProductOption, ProductOptionValue, Variant
from catalog.search import search_vector_refresh
from catalog.services import product_listing_refresh
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

BUDGET = 8


@pytest.fixture
def catalog():
    """50 products, each with 3 variants, 3 images, tags, an option, in a
    category two levels down."""
    root = CategoryFactory.create(name="Outdoor", slug="outdoor")
    category = CategoryFactory.create(name="Tents", slug="tents", parent=root)
    CategoryFactory.create(name="Small tents", slug="small-tents", parent=category)
    brand = BrandFactory.create(name="Acme", slug="acme")
    tags = [TagFactory.create(name="light", slug="light"), TagFactory.create(name="sale", slug="sale")]
    products = [
        ProductFactory.create(title=f"Tent {n}", slug=f"tent-{n}", brand=brand, variants=0) for n in range(50)
    ]
    Variant.objects.bulk_create(
        Variant(product=p, sku=f"TENT-{p.pk}-{i}", price=Decimal(10 + i), stock_on_hand=5, position=i)
        for p in products
        for i in range(3)
    )
    Product.categories.through.objects.bulk_create(
        Product.categories.through(product=p, category=category) for p in products
    )
    Product.tags.through.objects.bulk_create(
        Product.tags.through(product=p, tag=t) for p in products for t in tags
    )
    options = ProductOption.objects.bulk_create(ProductOption(product=p, name="Size") for p in products)
    ProductOptionValue.objects.bulk_create(
        ProductOptionValue(option=o, value=v) for o in options for v in "SML"
    )
    ProductImage.objects.bulk_create(
        ProductImage(
            product=p,
            image=f"products/{p.slug}-{i}.jpg",
            width=800,
            height=600,
            alt_text=f"{p.title}, view {i}",
            position=3 - i,
        )
        for p in products
        for i in range(3)
    )
    product_listing_refresh(product_ids=[p.pk for p in products])
    search_vector_refresh(product_ids=Product.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("per_page", [12, 24, 48])
@pytest.mark.parametrize(
    ("url", "query"),
    [
        (reverse("catalog:product_list"), {}),
        (
            reverse("catalog:product_list"),
            {"brand": "acme", "tag": "sale", "category": "outdoor", "option": "Size:M"},
        ),
        (
            reverse("catalog:product_list"),
            {"q": "tent", "in_stock": "1", "min_price": "1", "sort": "price_asc"},
        ),
        (reverse("catalog:category", kwargs={"slug": "tents"}), {}),
        (
            reverse("catalog:category", kwargs={"slug": "outdoor"}),
            {"brand": "acme", "tag": "light", "q": "tent"},
        ),
    ],
)
def test_listing_pages_stay_within_the_query_budget(
    client, catalog, django_assert_max_num_queries, url, query, per_page
):
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url, {**query, "per_page": per_page})

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == per_page
    assert response.text.count('class="product-card"') == per_page


def test_cards_show_the_first_image_by_position(client, catalog):
    response = client.get(reverse("catalog:product_list"), {"per_page": 12})

    first = response.context["page_obj"].object_list[0]
    assert [image.alt_text for image in first.card_images] == [f"{first.title}, view 2"]
    assert 'alt="" width="800" height="600"' in response.text


@pytest.mark.postgres
def test_a_typo_search_stays_within_the_query_budget(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET):
        response = client.get(
            reverse("catalog:category", kwargs={"slug": "outdoor"}), {"q": "tetn", "brand": "acme"}
        )

    assert response.context["listing"].fuzzy is True
    assert response.context["listing"].suggestions == ["tent"]


def test_few_results_with_did_you_mean_stay_within_the_budget(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET):
        response = client.get(
            reverse("catalog:category", kwargs={"slug": "outdoor"}), {"q": "tent 7", "tag": "sale"}
        )

    assert response.status_code == 200
