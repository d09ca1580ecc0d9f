"""Share links: plain URLs of each network's share page, so a page can be
shared without any third-party script, pixel or frame (the Content Security
Policy stays as strict as it is). The shared page's URL in each carries
``utm_source`` (the network) and ``utm_medium``, so analytics can count visits
per network; the browser's own share sheet (Web Share API) and "Copy link" get
their own sources through ``share_url``.

>>> links = share_links(url="https://shop.example/products/scarf/", title="Merino Scarf",
...                     image_url="https://shop.example/media/scarf.jpg", text="EUR 39.00")
>>> [link.network for link in links]
['x', 'facebook', 'pinterest', 'whatsapp', 'email']
>>> links[0].url
'https://twitter.com/intent/tweet?url=https%3A%2F%2Fshop.example%2Fproducts%2Fscarf%2F%3Futm_source%3Dx%26utm_medium%3Dsocial&text=Merino%20Scarf%20%E2%80%93%20EUR%2039.00'
>>> links[1].url
'https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fshop.example%2Fproducts%2Fscarf%2F%3Futm_source%3Dfacebook%26utm_medium%3Dsocial'
>>> links[4].url
'mailto:?subject=Merino%20Scarf&body=EUR%2039.00%0D%0A%0D%0Ahttps%3A%2F%2Fshop.example%2Fproducts%2Fscarf%2F%3Futm_source%3Demail%26utm_medium%3Demail'

Without an image there is nothing to pin:

>>> [link.network for link in share_links(url="https://shop.example/", title="Shop")]
['x', 'facebook', 'whatsapp', 'email']
"""

from dataclasses import dataclass
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext as _

UTM_KEYS = ("utm_source", "utm_medium")
MEDIUM_SOCIAL = "social"
MEDIUM_EMAIL = "email"


@dataclass(frozen=True)
class ShareLink:
    """One plain share link: ``network`` is also its ``utm_source``, ``name``
    what the button shows, ``label`` its accessible name."""

    network: str
    name: str
    label: str
    url: str


def share_url(url: str, *, source: str, medium: str = MEDIUM_SOCIAL) -> str:
    """``url`` with ``utm_source`` and ``utm_medium`` added to its query
    string (replacing any it had); the rest of the query and the fragment are
    kept as they were written.

    >>> share_url("https://shop.example/p/", source="x")
    'https://shop.example/p/?utm_source=x&utm_medium=social'
    >>> share_url("https://shop.example/p/?variant=3&q=a%20b#reviews", source="email", medium="email")
    'https://shop.example/p/?variant=3&q=a%20b&utm_source=email&utm_medium=email#reviews'
    >>> share_url("https://shop.example/p/?utm_source=old&utm_medium=old&page=2", source="copy")
    'https://shop.example/p/?page=2&utm_source=copy&utm_medium=social'
    >>> share_url("/p/?a=1", source="my network")
    '/p/?a=1&utm_source=my%20network&utm_medium=social'
    """
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.partition("=")[0]) not in UTM_KEYS
    ]
    utm = urlencode({"utm_source": source, "utm_medium": medium}, quote_via=quote)
    return urlunsplit(parts._replace(query="&".join([*kept, utm])))


def share_message(*, title: str, text: str = "") -> str:
    """What a post says: the title, and the text (a price, say) after it.

    >>> share_message(title="Merino Scarf", text="EUR 39.00") == "Merino Scarf \N{EN DASH} EUR 39.00"
    True
    >>> share_message(title="Merino Scarf")
    'Merino Scarf'
    """
    if not text:
        return title
    return _("%(title)s \N{EN DASH} %(text)s") % {"title": title, "text": text}


def _with_query(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params, quote_via=quote)}"


def share_links(*, url: str, title: str, image_url: str = "", text: str = "") -> list[ShareLink]:
    """The plain share links of the page at ``url`` (absolute), in the order a
    page shows them: X, Facebook, Pinterest (only with an image, which it
    pins), WhatsApp and email. Every value is URL-encoded.

    >>> [link.label for link in share_links(url="https://shop.example/", title="Shop")]
    ['Share on X', 'Share on Facebook', 'Share on WhatsApp', 'Share by email']
    >>> share_links(url="https://shop.example/", title="Shop", image_url="https://cdn.example/a b.jpg")[2].url
    'https://pinterest.com/pin/create/button/?url=https%3A%2F%2Fshop.example%2F%3Futm_source%3Dpinterest%26utm_medium%3Dsocial&media=https%3A%2F%2Fcdn.example%2Fa%20b.jpg&description=Shop'
    """
    message = share_message(title=title, text=text)

    def on(network: str) -> str:
        return share_url(url, source=network)

    def share_on(name: str) -> str:
        return _("Share on %(network)s") % {"network": name}

    links = [
        ShareLink(
            "x",
            "X",
            share_on("X"),
            _with_query("https://twitter.com/intent/tweet", {"url": on("x"), "text": message}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            share_on("Facebook"),
            _with_query("https://www.facebook.com/sharer/sharer.php", {"u": on("facebook")}),
        ),
    ]
    if image_url:
        links.append(
            ShareLink(
                "pinterest",
                "Pinterest",
                share_on("Pinterest"),
                _with_query(
                    "https://pinterest.com/pin/create/button/",
                    {"url": on("pinterest"), "media": image_url, "description": message},
                ),
            )
        )
    links.append(
        ShareLink(
            "whatsapp",
            "WhatsApp",
            share_on("WhatsApp"),
            _with_query("https://wa.me/", {"text": f"{message} {on('whatsapp')}"}),
        )
    )
    body = "\r\n\r\n".join(
        part for part in (text, share_url(url, source="email", medium=MEDIUM_EMAIL)) if part
    )
    links.append(
        ShareLink(
            "email", _("Email"), _("Share by email"), _with_query("mailto:", {"subject": title, "body": body})
        )
    )
    return links
