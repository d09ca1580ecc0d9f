"""``{% product_img image sizes="(min-width: 48rem) 50vw, 100vw" %}``: a
product image with its WebP renditions in ``srcset``, its intrinsic size (no
layout shift) and lazy loading unless told ``loading="eager"``."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog.images import StoredImage, image_sources

register = template.Library()


@register.simple_tag
def product_img(
    image: StoredImage,
    sizes: str = "100vw",
    loading: str = "lazy",
    css_class: str = "",
    alt: str | None = None,
) -> SafeString:
    sources = image_sources(image)
    srcset = format_html(' srcset="{}" sizes="{}"', sources.srcset, sizes) if sources.srcset else ""
    css = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<img src="{}"{} alt="{}" width="{}" height="{}" loading="{}" decoding="async"{}>',
        sources.src,
        srcset,
        getattr(image, "alt_text", "") if alt is None else alt,
        sources.width,
        sources.height,
        loading,
        css,
    )
