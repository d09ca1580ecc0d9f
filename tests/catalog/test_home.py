import pytest
from django.urls import reverse

from catalog.models import Product, ProductImage
from tests.catalog.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _with_image(product: Product) -> Product:
    ProductImage.objects.create(
        product=product,
        image=f"products/{product.slug}.jpg",
        width=800,
        height=800,
        alt_text=product.title,
        renditions={"320": f"products/{product.slug}-320w.webp"},
    )
    return product


@pytest.mark.parametrize("count", [1, 8, 30])
def test_home_runs_at_most_8_queries_however_many_products_and_categories(
    client, django_assert_max_num_queries, count
):
    for n in range(count):
        CategoryFactory.create(name=f"Featured {n}", is_featured=True)
        _with_image(ProductFactory.create(title=f"Star {n}", is_featured=n % 2 == 0, variants=3))

    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:home"))

    assert response.status_code == 200
    assert len(response.context["products"]) == min(count, 8)


def test_home_shows_featured_active_categories_in_their_order(client):
    CategoryFactory.create(name="Garden", is_featured=True, position=2)
    CategoryFactory.create(name="Kitchen", is_featured=True, position=1)
    CategoryFactory.create(name="Attic", is_featured=True, is_active=False)
    CategoryFactory.create(name="Cellar")

    response = client.get(reverse("catalog:home"))

    assert [c.name for c in response.context["categories"]] == ["Kitchen", "Garden"]
    assert b'<a class="category-tile" href="/categories/kitchen/">' in response.content
    assert b"Cellar" not in response.content


def test_home_shows_featured_products_first_then_fills_with_the_newest(client):
    ProductFactory.create(title="Old featured", is_featured=True)
    ProductFactory.create(title="Hidden featured", is_featured=True, is_active=False)
    for n in range(10):
        ProductFactory.create(title=f"New {n}")
    ProductFactory.create(title="New featured", is_featured=True)

    response = client.get(reverse("catalog:home"))

    assert [p.title for p in response.context["products"]] == [
        "New featured", "Old featured", "New 9", "New 8", "New 7", "New 6", "New 5", "New 4",
    ]  # fmt: skip
    assert b'<h2 id="products-title">Featured products</h2>' in response.content
    assert b'href="/products/new-featured/"' in response.content
    assert b"Hidden featured" not in response.content


def test_without_featured_products_the_home_shows_new_arrivals(client):
    ProductFactory.create(title="Plain")

    response = client.get(reverse("catalog:home"))

    assert [p.title for p in response.context["products"]] == ["Plain"]
    assert b'<h2 id="products-title">New arrivals</h2>' in response.content


def test_an_empty_shop_has_a_friendly_home(client):
    response = client.get(reverse("catalog:home"))

    assert response.status_code == 200
    assert b"No products yet. Come back soon!" in response.content
