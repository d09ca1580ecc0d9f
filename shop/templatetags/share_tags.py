"""``{% share_actions url=... title=... image_url=... text=... %}``: a page's
share actions (templates/shop/_share.html, enhanced by static/js/share.js):
the browser's share sheet where it has one, plain links to the networks
(shop/sharing.py), and "Copy link". Relative URLs are made absolute against
the request. ``{% first_image_url photos images as var %}`` gives the full
URL of the first image of the first list that has one (a review's photo, or
else its product's image), reading the lists only as far as needed.
"""

from collections.abc import Sequence
from typing import Any

from django import template
from django.http import HttpRequest

from shop.sharing import share_links, share_message, share_url

register = template.Library()


def _absolute(context: template.Context, url: str) -> str:
    request: HttpRequest | None = context.get("request")
    return request.build_absolute_uri(url) if request is not None and url else url


@register.simple_tag(takes_context=True)
def first_image_url(context: template.Context, *image_lists: Sequence[Any]) -> str:
    """The full URL of the first image (anything with an ``image`` file
    field) of the first of ``image_lists`` that is not empty; "" without one.
    A list is read only as far as its first item (``[:1]``: one small query,
    none for a prefetched one)."""
    for images in image_lists:
        if images is None:  # not a truth test: that would load a whole queryset
            continue
        for first in images[:1]:
            return _absolute(context, first.image.url)
    return ""


@register.inclusion_tag("shop/_share.html", takes_context=True)
def share_actions(
    context: template.Context, *, url: str, title: str, image_url: str = "", text: str = ""
) -> dict[str, Any]:
    url = _absolute(context, str(url))
    image_url = _absolute(context, str(image_url or ""))
    title, text = str(title), str(text or "")
    return {
        "title": title,
        "message": share_message(title=title, text=text),
        "links": share_links(url=url, title=title, image_url=image_url, text=text),
        "webshare_url": share_url(url, source="webshare"),
        "copy_url": share_url(url, source="copy"),
    }
