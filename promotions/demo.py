"""Demo promotions for ``make demo``: safe to run again (what exists is kept)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalog.models import Category
from promotions.models import PromoCode, Promotion
from promotions.services import promo_code_save, promotion_sale_prices_refresh, promotion_save
from promotions.values import OfferKind

DEMO_PROMOTION = "Demo: 20% off"


@dataclass(frozen=True)
class DemoResult:
    created: list[str]
    products_on_offer: int


@transaction.atomic
def promotions_demo_create() -> DemoResult:
    """WELCOME10 (10% off from 20.00), FREESHIP (free shipping), and 20% off
    the first featured category for a week; then the sale prices."""
    created = []
    codes = (
        (
            "WELCOME10",
            {"name": "Welcome", "kind": OfferKind.PERCENT, "value": Decimal(10), "min_subtotal": Decimal(20)},
        ),
        ("FREESHIP", {"name": "Free shipping", "kind": OfferKind.FREE_SHIPPING}),
    )
    for code, fields in codes:
        if not PromoCode.objects.filter(code=code).exists():
            promo_code_save(code=PromoCode(code=code, **fields))
            created.append(code)
    category = Category.objects.filter(is_featured=True, is_active=True).order_by("path").first()
    if category is not None and not Promotion.objects.filter(name=DEMO_PROMOTION).exists():
        now = timezone.now()
        promotion = promotion_save(
            promotion=Promotion(
                name=DEMO_PROMOTION,
                kind=OfferKind.PERCENT,
                value=Decimal(20),
                starts_at=now,
                ends_at=now + timedelta(days=7),
            )
        )
        promotion.categories.add(category)
        created.append(f"{DEMO_PROMOTION} ({category.name})")
    return DemoResult(created=created, products_on_offer=promotion_sale_prices_refresh())
