"""Template helpers of the product page."""

import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from catalog.page_cache import catalog_generation

register = template.Library()

# As django.utils.html.json_script: no "<", ">" or "&" can end the element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict[str, Any]) -> SafeString:
    """Structured data as ``<script type="application/ld+json">``: a data
    block the browser never executes (so the CSP allows it), escaped like
    ``json_script`` so that no value can close the element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308 - escaped above


CARD_TEMPLATE = "catalog/_product_card.html"


@register.simple_tag(takes_context=True)
def product_card_items(context: template.Context, products: Iterable[Any], extra: str = "") -> SafeString:
    """The products as ``<li>`` cards. A card shows only the product's own
    columns, so its HTML is cached per product and catalog generation: a
    listing renders only the cards no page has shown since the catalog last
    changed (``CATALOG_CARD_CACHE_SECONDS``, 0 turns it off). ``extra`` names
    a template rendered after each card, never cached, for what differs per
    person (the wishlists' heart: ``extra="wishlists/_card_heart.html"``)."""
    products = list(products)
    timeout = settings.CATALOG_CARD_CACHE_SECONDS
    if not products:
        return SafeString("")
    generation = catalog_generation()
    keys = {product.pk: f"catalog:card:{generation}:{product.pk}" for product in products}
    cached = cache.get_many(list(keys.values())) if timeout else {}
    card = context.template.engine.get_template(CARD_TEMPLATE) if context.template else None
    after = context.template.engine.get_template(extra) if extra and context.template else None
    rendered: dict[str, str] = {}
    items = []
    for product in products:
        html = cached.get(keys[product.pk])
        if html is None and card is not None:
            with context.push(product=product):
                html = rendered[keys[product.pk]] = card.render(context)
        if after is not None:
            with context.push(product=product):
                html = f"{html}{after.render(context)}"
        items.append(f"<li>{html}</li>")
    if rendered and timeout:
        cache.set_many(rendered, timeout)
    return mark_safe("".join(items))  # noqa: S308 - our own templates' output


@register.filter
def stars_class(rating: Any) -> str:
    """The CSS class that fills a row of five stars to ``rating``, rounded to
    the nearest half star (``stars-45`` for 4.3 to 4.74): classes, not inline
    styles, which the CSP forbids.

    >>> stars_class(4.3), stars_class("4.75"), stars_class(None)
    ('stars-45', 'stars-50', 'stars-0')
    """
    try:  # Decimal, as ratings are stored: no float rounding at the half-star edge
        halves = int((Decimal(str(rating)) * 2).to_integral_value(ROUND_HALF_UP))
    except (ArithmeticError, TypeError, ValueError):
        halves = 0
    return f"stars-{min(max(halves, 0), 10) * 5}"
