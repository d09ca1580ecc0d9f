"""What the product page shows, worked out from a product loaded by
``selectors.product_get_for_page`` without another query: which variant is
chosen (from the query string, so the picker works without JavaScript), its
price and stock status, the option picker, the gallery order, the variant data
for static/js/product.js, and the page's SEO (meta, Open Graph, JSON-LD).
"""

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalog.images import image_sources
from catalog.models import Product, ProductImage, ProductOption, ProductOptionValue, Variant
from shop.money import format_money

OPTION_PARAM = "option-"
SCHEMA_IN_STOCK = "https://schema.org/InStock"
SCHEMA_OUT_OF_STOCK = "https://schema.org/OutOfStock"
SCHEMA_LIMITED = "https://schema.org/LimitedAvailability"


@dataclass(frozen=True)
class StockStatus:
    code: str  # "in_stock", "low", "out"
    label: str
    available: int


def variant_stock_status(variant: Variant) -> StockStatus:
    """ "In stock", "Only 3 left" (at or below the variant's low-stock
    threshold) or "Out of stock"."""
    available = max(variant.stock_available, 0)
    if available == 0:
        return StockStatus("out", _("Out of stock"), 0)
    if available <= variant.low_stock_threshold:
        return StockStatus("low", _("Only %(count)s left") % {"count": available}, available)
    return StockStatus("in_stock", _("In stock"), available)


def _values(variant: Variant) -> list[ProductOptionValue]:
    return list(variant.option_values.all())


@dataclass(frozen=True)
class OptionChoice:
    """One select of the variant picker."""

    option: ProductOption
    values: list[ProductOptionValue]
    selected: int | None


def _picker(variants: Sequence[Variant], chosen: Variant | None) -> list[OptionChoice]:
    """The options the active variants differ by, each with the values some
    active variant has, in the shop's order."""
    options: dict[int, ProductOption] = {}
    values: dict[int, dict[int, ProductOptionValue]] = {}
    for variant in variants:
        for value in _values(variant):
            options.setdefault(value.option_id, value.option)
            values.setdefault(value.option_id, {})[value.pk] = value
    selected = {value.option_id: value.pk for value in _values(chosen)} if chosen else {}
    return [
        OptionChoice(
            option=option,
            values=sorted(values[option.pk].values(), key=lambda value: (value.position, value.pk)),
            selected=selected.get(option.pk),
        )
        for option in sorted(options.values(), key=lambda option: (option.position, option.pk))
    ]


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def variant_choose(variants: Sequence[Variant], query: Mapping[str, Any]) -> tuple[Variant | None, bool]:
    """The variant the query string asks for, and whether it asked for a
    combination that does not exist. Option values (``option-<option id>=<value
    id>``, what the picker form sends) win over ``variant=<id>`` (a shared
    link); with neither, or with nonsense, the first variant in stock. A
    combination that does not exist gives the closest variant."""
    if not variants:
        return None, False
    default = next((v for v in variants if v.stock_available > 0), variants[0])
    wanted = {
        option_id: value_id
        for key in query
        if key.startswith(OPTION_PARAM)
        and (option_id := _int(key.removeprefix(OPTION_PARAM))) is not None
        and (value_id := _int(query.get(key))) is not None
    }
    if wanted:
        # Most values matching; among equals, the earlier options (size
        # before colour) matter more; then a variant in stock.
        order = sorted(
            {value.option for variant in variants for value in _values(variant)},
            key=lambda option: (option.position, option.pk),
        )

        def score(variant: Variant) -> tuple[int, tuple[bool, ...], bool]:
            have = {value.option_id: value.pk for value in _values(variant)}
            matches = tuple(
                option.pk in wanted and have.get(option.pk) == wanted[option.pk] for option in order
            )
            return sum(matches), matches, variant.stock_available > 0

        best = max(variants, key=score)  # max keeps the first of equals: shop order
        exact = {value.option_id: value.pk for value in _values(best)} == wanted
        if score(best)[0] == 0:
            return default, True
        return best, not exact
    variant_id = _int(query.get("variant"))
    chosen = next((v for v in variants if v.pk == variant_id), None)
    return (chosen or default), False


def gallery_order(images: Sequence[ProductImage], chosen: Variant | None) -> list[ProductImage]:
    """The chosen variant's images first, then the others in their order."""
    if chosen is None:
        return list(images)
    return sorted(images, key=lambda image: image.variant_id != chosen.pk)  # sorted is stable


def _price(amount: Decimal | None) -> str:
    return format_money(amount) if amount is not None else ""


def _compare_at(variant: Variant) -> Decimal | None:
    compare = variant.compare_at_price
    return compare if compare is not None and compare > variant.price else None


def _variant_label(variant: Variant) -> str:
    return " / ".join(value.value for value in _values(variant)) or variant.sku


def _variant_data(variant: Variant, images: Sequence[ProductImage]) -> dict[str, Any]:
    status = variant_stock_status(variant)
    return {
        "id": variant.pk,
        "sku": variant.sku,
        "price": _price(variant.price),
        "compareAt": _price(_compare_at(variant)),
        "salePrice": _price(variant.sale_price),  # automatic promotions (promotions app)
        "stock": status.label,
        "stockCode": status.code,
        "available": status.available,
        "values": [value.pk for value in _values(variant)],
        "images": [image.pk for image in images if image.variant_id == variant.pk],
    }


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(strip_tags(text))).strip()


@dataclass
class ProductPage:
    product: Product
    variants: list[Variant]
    chosen: Variant | None
    combination_missing: bool
    status: StockStatus | None
    picker: list[OptionChoice]
    images: list[ProductImage]
    title: str
    description: str
    url: str
    image_url: str
    variant_data: list[dict[str, Any]] = field(default_factory=list)
    json_ld: dict[str, Any] = field(default_factory=dict)

    @property
    def price(self) -> str:
        return _price(self.chosen.price) if self.chosen else ""

    @property
    def sale_price(self) -> str:
        return _price(self.chosen.sale_price) if self.chosen else ""

    @property
    def compare_at(self) -> str:
        return _price(_compare_at(self.chosen)) if self.chosen else ""

    @property
    def variant_labels(self) -> list[tuple[int, str]]:
        return [(variant.pk, _variant_label(variant)) for variant in self.variants]


def product_page_build(
    *, product: Product, query: Mapping[str, Any], absolute: Callable[[str], str]
) -> ProductPage:
    """Everything the page shows; ``absolute`` turns a path into a full URL
    (``request.build_absolute_uri``) for the canonical link, Open Graph and
    JSON-LD."""
    variants: list[Variant] = getattr(product, "active_variants", None) or list(
        product.variants.filter(is_active=True)
    )
    chosen, missing = variant_choose(variants, query)
    all_images = list(product.images.all())
    images = gallery_order(all_images, chosen)
    url = absolute(product.get_absolute_url())
    image_urls = [absolute(image_sources(image).src) for image in images]
    page = ProductPage(
        product=product,
        variants=variants,
        chosen=chosen,
        combination_missing=missing,
        status=variant_stock_status(chosen) if chosen else None,
        picker=_picker(variants, chosen),
        images=images,
        title=product.seo_title or product.title,
        description=product.seo_description or Truncator(_plain(product.description_html)).chars(160),
        url=url,
        image_url=image_urls[0] if image_urls else "",
        variant_data=[_variant_data(variant, all_images) for variant in variants],
    )
    page.json_ld = _json_ld(page, image_urls)
    return page


def _json_ld(page: ProductPage, image_urls: list[str]) -> dict[str, Any]:
    """schema.org Product: one Offer per active variant."""
    product = page.product
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": page.description,
        "url": page.url,
    }
    if page.chosen is not None:
        data["sku"] = page.chosen.sku
    if image_urls:
        data["image"] = image_urls
    if product.brand is not None:
        data["brand"] = {"@type": "Brand", "name": product.brand.name}
    if product.rating_count and product.rating_average is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(product.rating_average),
            "reviewCount": product.rating_count,
        }
    availability = {"in_stock": SCHEMA_IN_STOCK, "low": SCHEMA_LIMITED, "out": SCHEMA_OUT_OF_STOCK}
    data["offers"] = [
        {
            "@type": "Offer",
            "sku": variant.sku,
            "price": str(variant.sale_price if variant.sale_price is not None else variant.price),
            "priceCurrency": settings.SHOP_CURRENCY,
            "availability": availability[variant_stock_status(variant).code],
            "url": f"{page.url}?variant={variant.pk}",
            "itemCondition": "https://schema.org/NewCondition",
        }
        for variant in page.variants
    ]
    return data
