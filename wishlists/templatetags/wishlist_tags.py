from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("wishlists/_heart.html", takes_context=True)
def heart(context: template.Context, product: Any, variant: Any = None) -> dict[str, Any]:
    """The heart of a product (on a card) or of its chosen variant (on its
    page): whether it shows as in the person's favourites, and the form that
    toggles it and comes back to this page."""
    hearts = context.get("hearts")
    if hearts is None:
        chosen = False
    elif variant is not None:
        chosen = variant.pk in hearts.variants
    else:
        chosen = product.pk in hearts.products
    request = context.get("request")
    # The page's picker changes the variant without a reload (static/js/product.js):
    # which of this product's variants are saved, so the heart can follow.
    saved = (
        [v.pk for v in getattr(product, "active_variants", []) if v.pk in hearts.variants]
        if variant is not None and hearts is not None
        else []
    )
    return {
        "saved_variants": ",".join(str(pk) for pk in saved),
        "product": product,
        "variant": variant,
        "chosen": chosen,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
