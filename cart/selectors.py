"""The cart's questions: its lines as a page shows them, the tax rates of a
place, and ``cart_price``, the breakdown every caller (cart page, checkout,
order placement) gets from the one pricing function."""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from cart.models import Cart, CartLine, TaxRate
from cart.pricing import Breakdown, PricingLine, Refusal, ShippingCharge, price
from catalog.models import Category, ProductImage
from promotions.selectors import promo_code_offer, promotion_offers_active
from promotions.values import Offer, PromoContext, PromoRefused

_TAX_GENERATION_KEY = "cart:tax-rates:generation"
_TAX_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class TaxLocation:
    country: str
    region: str = ""

    @classmethod
    def default(cls) -> "TaxLocation":
        return cls(settings.TAX_DEFAULT_COUNTRY, settings.TAX_DEFAULT_REGION)


def tax_rates_for(*, location: TaxLocation) -> dict[str, Decimal]:
    """Rate per tax class at ``location``: a region's rate wins over its
    country's. Cached until a rate changes (``tax_rates_changed``)."""
    country, region = location.country.upper(), location.region.upper()
    generation = cache.get_or_set(_TAX_GENERATION_KEY, 0, None)
    key = f"cart:tax-rates:{generation}:{country}:{region}"
    rates: dict[str, Decimal] | None = cache.get(key)
    if rates is None:
        rows = TaxRate.objects.filter(country=country, region__in={"", region}).order_by("region")
        rates = {row.tax_class: row.rate for row in rows}  # "" sorts first; the region overwrites
        cache.set(key, rates, _TAX_CACHE_SECONDS)
    return rates


def tax_rates_changed() -> None:
    try:
        cache.incr(_TAX_GENERATION_KEY)
    except ValueError:
        cache.set(_TAX_GENERATION_KEY, 1, None)


def cart_lines(*, cart: Cart) -> list[CartLine]:
    """Every line with what the cart page and pricing read, in a constant
    number of queries: variant, product and brand (one), the product's
    categories (one) and images (one): the product's first, its first not of
    a variant, and each variant's first, for ``CartRow.image`` to choose.
    Lines whose variant is gone or off sale are included; ``cart_prune``
    removes them."""
    order = (F("position").asc(), F("pk").asc())
    first_image = ProductImage.objects.annotate(
        product_row=Window(RowNumber(), partition_by=F("product_id"), order_by=order),
        variant_row=Window(RowNumber(), partition_by=(F("product_id"), F("variant_id")), order_by=order),
    ).filter(Q(product_row=1) | Q(variant_row=1))
    return list(
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product__brand")
        .prefetch_related(
            Prefetch("variant__product__categories", queryset=Category.objects.only("id", "path")),
            Prefetch("variant__product__images", queryset=first_image, to_attr="card_images"),
        )
    )


def pricing_line(line: CartLine) -> PricingLine:
    """A cart line as the pricing engine reads it (variant and product
    loaded, product categories prefetched)."""
    variant = line.variant
    if variant is None:
        raise ValueError(f"cart line {line.pk} has no variant: prune the cart first")
    product = variant.product
    categories: set[int] = set()
    for category in product.categories.all():
        categories.update(int(part) for part in category.path.strip("/").split("/") if part)
        categories.add(category.pk)
    return PricingLine(
        key=line.pk,
        product_id=product.pk,
        brand_id=product.brand_id,
        category_ids=frozenset(categories),
        unit_price=variant.price,
        quantity=line.quantity,
        tax_class=product.tax_class,
    )


def line_is_sellable(line: CartLine) -> bool:
    variant = line.variant
    return variant is not None and variant.is_active and variant.product.is_active


def line_warnings(line: CartLine) -> list[str]:
    """What the shopper should know before checking out this line."""
    variant = line.variant
    if variant is None:
        return [_("No longer available.")]
    warnings = []
    if variant.price != line.price_when_added:
        warnings.append(
            _("The price changed from %(old)s to %(new)s since you added it.")
            % {"old": line.price_when_added, "new": variant.price}
        )
    available = variant.stock_available
    if available <= 0:
        warnings.append(_("Out of stock now: remove it to check out."))
    elif line.quantity > available:
        warnings.append(_("Only %(count)d left: lower the quantity to check out.") % {"count": available})
    if line.quantity > settings.CART_MAX_QUANTITY:
        warnings.append(_("At most %(max)d per order.") % {"max": settings.CART_MAX_QUANTITY})
    return warnings


def cart_price(
    *,
    cart: Cart,
    lines: Sequence[CartLine] | None = None,
    context: PromoContext | None = None,
    location: TaxLocation | None = None,
    shipping: ShippingCharge | None = None,
) -> Breakdown:
    """The cart's breakdown: automatic promotions, its codes (a code that
    lapsed since it was applied shows in ``refused`` with the reason), tax at
    ``location`` (the shop's default until an address is known) and
    ``shipping`` once a method is chosen."""
    context = context or PromoContext()
    now = context.now or timezone.now()
    lines = cart_lines(cart=cart) if lines is None else lines
    sellable = [line for line in lines if line_is_sellable(line)]
    offers: list[Offer] = list(promotion_offers_active(now=now))
    lapsed: list[Refusal] = []
    for code in cart.promo_codes:
        try:
            offers.append(promo_code_offer(code=code, context=context))
        except PromoRefused as refused:
            lapsed.append(Refusal(code, refused.reason, refused.message, refused.shortfall))
    breakdown = price(
        lines=[pricing_line(line) for line in sellable],
        offers=offers,
        shipping=shipping,
        rates=tax_rates_for(location=location or TaxLocation.default()),
        prices_include_tax=settings.PRICES_INCLUDE_TAX,
    )
    if lapsed:
        breakdown = dataclasses.replace(breakdown, refused=(*lapsed, *breakdown.refused))
    return breakdown


def guest_cart_get(*, cart_id: int) -> Cart | None:
    """The guest cart ``cart_id``; None when it is gone or became someone's."""
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first()


def cart_item_count(*, cart: Cart | None) -> int:
    if cart is None:
        return 0
    return sum(cart.lines.values_list("quantity", flat=True))
