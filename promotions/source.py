"""How the cart reaches promotions: ``shop.pricing`` holds this source once
``PromotionsConfig.ready()`` registered it (cart and promotions share a
layer and may not import each other)."""

from datetime import datetime

from promotions.selectors import promo_code_offer, promotion_offers_active
from shop.pricing import Offer, PromoContext


class DatabasePromotions:
    """``shop.pricing.PromotionSource`` backed by this app's models."""

    def automatic_offers(self, *, now: datetime) -> list[Offer]:
        return promotion_offers_active(now=now)

    def code_offer(self, *, code: str, context: PromoContext) -> Offer:
        return promo_code_offer(code=code, context=context)
