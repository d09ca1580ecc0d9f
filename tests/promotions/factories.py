"""Promotion factories. Codes and promotions are saved through the services
(codes normalised, caches bumped); scope goes in with ``categories=[...]``,
``brands=[...]``, ``products=[...]``."""

from decimal import Decimal
from typing import Any

import factory

from promotions import services
from promotions.models import PromoCode, Promotion
from promotions.values import OfferKind


def _scope(obj: Any, create: bool, extracted: Any, relation: str) -> None:
    if create and extracted:
        getattr(obj, relation).set(extracted)


class PromoCodeFactory(factory.django.DjangoModelFactory[PromoCode]):
    class Meta:
        model = PromoCode
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = OfferKind.PERCENT
    value = Decimal(10)

    @classmethod
    def _create(cls, model_class: type[PromoCode], *args: Any, **kwargs: Any) -> PromoCode:
        return services.promo_code_save(code=model_class(**kwargs))

    @factory.post_generation
    def categories(self: PromoCode, create: bool, extracted: Any, **kwargs: Any) -> None:
        _scope(self, create, extracted, "categories")

    @factory.post_generation
    def brands(self: PromoCode, create: bool, extracted: Any, **kwargs: Any) -> None:
        _scope(self, create, extracted, "brands")

    @factory.post_generation
    def products(self: PromoCode, create: bool, extracted: Any, **kwargs: Any) -> None:
        _scope(self, create, extracted, "products")


class PromotionFactory(factory.django.DjangoModelFactory[Promotion]):
    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Promotion {n}")
    kind = OfferKind.PERCENT
    value = Decimal(20)

    @classmethod
    def _create(cls, model_class: type[Promotion], *args: Any, **kwargs: Any) -> Promotion:
        return services.promotion_save(promotion=model_class(**kwargs))

    @factory.post_generation
    def categories(self: Promotion, create: bool, extracted: Any, **kwargs: Any) -> None:
        _scope(self, create, extracted, "categories")

    @factory.post_generation
    def brands(self: Promotion, create: bool, extracted: Any, **kwargs: Any) -> None:
        _scope(self, create, extracted, "brands")

    @factory.post_generation
    def products(self: Promotion, create: bool, extracted: Any, **kwargs: Any) -> None:
        _scope(self, create, extracted, "products")
