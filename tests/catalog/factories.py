"""Catalog factories. Products come with one active variant in stock unless
told otherwise; everything is saved through the services so that derived
columns (category paths, listing prices, in-stock flags) are true."""

from decimal import Decimal
from typing import Any

import factory
from django.utils.text import slugify

from catalog import services
from catalog.models import Brand, Category, Product, Tag, Variant


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))

    @classmethod
    def _create(cls, model_class: type[Category], *args: Any, **kwargs: Any) -> Category:
        return services.category_save(category=model_class(**kwargs))


class BrandFactory(factory.django.DjangoModelFactory[Brand]):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class VariantFactory(factory.django.DjangoModelFactory[Variant]):
    class Meta:
        model = Variant

    product = factory.SubFactory("tests.catalog.factories.ProductFactory", variants=0)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    price = Decimal("19.99")
    weight_grams = 500
    stock_on_hand = 10

    @classmethod
    def _create(cls, model_class: type[Variant], *args: Any, **kwargs: Any) -> Variant:
        variant = super()._create(model_class, *args, **kwargs)
        services.product_listing_refresh(product_ids=[variant.product_id])
        return variant


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    """``ProductFactory.create(variants=3, variants__price=Decimal("5.00"), variants__stock=0)``;
    one variant at 19.99 with 10 in stock by default."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    description = "A **fine** product."

    @classmethod
    def _create(cls, model_class: type[Product], *args: Any, **kwargs: Any) -> Product:
        return services.product_save(product=model_class(**kwargs))

    @factory.post_generation
    def variants(self: Product, create: bool, extracted: int | None, **kwargs: Any) -> None:
        count = 1 if extracted is None else extracted
        if not create or count == 0:
            return
        for n in range(count):
            VariantFactory.create(
                product=self,
                price=kwargs.get("price", Decimal("19.99")),
                stock_on_hand=kwargs.get("stock", 10),
                position=n,
            )
        self.refresh_from_db()
