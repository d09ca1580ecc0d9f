"""A small catalog whose every filter, sort and facet has a known answer,
shared by the listing and search tests."""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Category, Product, ProductOption, ProductOptionValue
from catalog.search import search_vector_refresh
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory


@dataclass
class Shop:
    clothing: Category
    jackets: Category
    rain: Category
    home: Category
    blue: Product
    red: Product
    leather: Product
    mug: Product
    hidden: Product


def _options(product: Product, **options: list[str]) -> None:
    for position, (name, values) in enumerate(options.items()):
        option = ProductOption.objects.create(product=product, name=name, position=position)
        for n, value in enumerate(values):
            ProductOptionValue.objects.create(option=option, value=value, position=n)


def _product(title: str, *, price: str, stock: int = 10, sold: int = 0, rating: str | None = None, **kwargs):
    product = ProductFactory.create(
        title=title, variants=1, variants__price=Decimal(price), variants__stock=stock, **kwargs
    )
    Product.objects.filter(pk=product.pk).update(
        units_sold=sold,
        rating_average=None if rating is None else Decimal(rating),
        rating_count=0 if rating is None else 3,
        # Same count for all, so the rank follows the average.
        rating_score=None if rating is None else Decimal(rating) - 1,
    )
    return product


def shop_create() -> Shop:
    clothing = CategoryFactory.create(name="Clothing", slug="clothing", position=1)
    jackets = CategoryFactory.create(name="Jackets", slug="jackets", parent=clothing, position=1)
    rain = CategoryFactory.create(name="Rain wear", slug="rain", parent=jackets, position=1)
    home = CategoryFactory.create(name="Home", slug="home", position=2)
    acme = BrandFactory.create(name="Acme", slug="acme")
    borealis = BrandFactory.create(name="Borealis", slug="borealis")
    waterproof = TagFactory.create(name="waterproof", slug="waterproof")
    sale = TagFactory.create(name="sale", slug="sale")

    blue = _product("Blue Rain Jacket", price="80.00", sold=5, rating="4.50", brand=acme,
                    description="Keeps you dry on windy days.")  # fmt: skip
    blue.categories.set([rain])
    blue.tags.set([waterproof, sale])
    _options(blue, Size=["S", "M"], Colour=["Blue"])

    red = _product("Red Wool Jacket", price="120.00", stock=0, sold=20, rating="3.20", brand=borealis,
                   description="Warm merino wool.")  # fmt: skip
    red.categories.set([jackets])
    _options(red, Size=["M", "L"], Colour=["Red"])

    leather = _product(
        "Leather Jacket", price="200.00", sold=1, brand=acme, description="Classic biker style."
    )
    leather.categories.set([jackets])
    leather.tags.set([waterproof])

    mug = _product("Coffee Mug", price="9.50", sold=50, rating="4.90", brand=borealis,
                   description="Holds a big coffee; not waterproof leather.")  # fmt: skip
    mug.categories.set([home])
    mug.tags.set([sale])

    hidden = _product("Hidden Jacket", price="50.00", brand=acme, is_active=False)
    hidden.categories.set([jackets])

    search_vector_refresh(product_ids=Product.objects.values_list("pk", flat=True))
    return Shop(clothing, jackets, rain, home, blue, red, leather, mug, hidden)
