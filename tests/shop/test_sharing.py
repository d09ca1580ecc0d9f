import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from catalog.models import Product, ProductImage
from reviews.models import ReviewPhoto
from shop.sharing import share_links, share_url
from tests.catalog.factories import ProductFactory
from tests.reviews.factories import review_of

PAGE = "https://shop.example/products/merino-scarf/"
IMAGE = "https://shop.example/media/products/scarf-1024w.webp"


def _links(**kwargs) -> dict[str, str]:
    return {link.network: link.url for link in share_links(**kwargs)}


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_each_network_gets_its_share_url_with_the_page_carrying_its_utm_source():
    links = _links(url=PAGE, title="Merino Scarf", image_url=IMAGE, text="EUR 39.00")

    assert list(links) == ["x", "facebook", "pinterest", "whatsapp", "email"]
    assert links["x"].startswith("https://twitter.com/intent/tweet?")
    assert _query(links["x"]) == {
        "url": [f"{PAGE}?utm_source=x&utm_medium=social"],
        "text": ["Merino Scarf \N{EN DASH} EUR 39.00"],
    }
    assert links["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?")
    assert _query(links["facebook"]) == {"u": [f"{PAGE}?utm_source=facebook&utm_medium=social"]}
    assert links["pinterest"].startswith("https://pinterest.com/pin/create/button/?")
    assert _query(links["pinterest"]) == {
        "url": [f"{PAGE}?utm_source=pinterest&utm_medium=social"],
        "media": [IMAGE],
        "description": ["Merino Scarf \N{EN DASH} EUR 39.00"],
    }
    assert links["whatsapp"].startswith("https://wa.me/?")
    assert _query(links["whatsapp"]) == {
        "text": [f"Merino Scarf \N{EN DASH} EUR 39.00 {PAGE}?utm_source=whatsapp&utm_medium=social"]
    }
    assert links["email"].startswith("mailto:?")
    assert _query(links["email"]) == {
        "subject": ["Merino Scarf"],
        "body": [f"EUR 39.00\r\n\r\n{PAGE}?utm_source=email&utm_medium=email"],
    }


def test_there_is_no_pinterest_link_without_an_image():
    links = share_links(url=PAGE, title="Merino Scarf")

    assert [link.network for link in links] == ["x", "facebook", "whatsapp", "email"]
    assert not any("pinterest" in link.url for link in links)


def test_every_value_is_url_encoded():
    page = "https://shop.example/products/k%C3%A4se/?variant=3&colour=red#reviews"
    title = "Salt & Pepper #1? 50% off + more / Käse"
    image = "https://shop.example/media/a b&c.jpg"

    links = _links(url=page, title=title, image_url=image)

    shared = (
        "https://shop.example/products/k%C3%A4se/?variant=3&colour=red&utm_source={}&utm_medium={}#reviews"
    )
    for network, url in links.items():
        # One query string of the share page: nothing of the values leaks out
        # as a parameter of its own, and no raw space, "&", "#" or "+" is left.
        query = urlsplit(url).query
        assert "#" not in url.split("?", 1)[1]
        assert " " not in url
        assert "+" not in query
        assert set(_query(url)) <= {"url", "text", "u", "media", "description", "subject", "body"}, network
    assert _query(links["x"])["url"] == [shared.format("x", "social")]
    assert _query(links["x"])["text"] == [title]
    assert _query(links["pinterest"])["media"] == [image]
    assert _query(links["email"])["subject"] == [title]
    assert _query(links["email"])["body"] == [shared.format("email", "email")]
    # Mail clients take "+" literally (RFC 6068): spaces are %20.
    assert (
        "subject=Salt%20%26%20Pepper%20%231%3F%2050%25%20off%20%2B%20more%20%2F%20K%C3%A4se" in links["email"]
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://shop.example/p/", "https://shop.example/p/?utm_source=copy&utm_medium=social"),
        ("https://shop.example/p/?", "https://shop.example/p/?utm_source=copy&utm_medium=social"),
        (
            "https://shop.example/p/?variant=3&q=a+b#top",
            "https://shop.example/p/?variant=3&q=a+b&utm_source=copy&utm_medium=social#top",
        ),
        (
            "https://shop.example/p/?utm_source=newsletter&utm_medium=email&utm_campaign=may",
            "https://shop.example/p/?utm_campaign=may&utm_source=copy&utm_medium=social",
        ),
        ("/p/?a=1", "/p/?a=1&utm_source=copy&utm_medium=social"),
    ],
)
def test_utm_parameters_are_added_to_the_query_string_replacing_earlier_ones(url, expected):
    assert share_url(url, source="copy") == expected


class _Share(HTMLParser):
    """The links, buttons, field and data attributes of a share block."""

    def __init__(self) -> None:
        super().__init__()
        self.box: dict[str, str | None] = {}
        self.links: list[dict[str, str | None]] = []
        self.buttons: list[dict[str, str | None]] = []
        self.inputs: list[dict[str, str | None]] = []
        self.metas: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "data-share" in attributes:
            self.box = attributes
        elif tag == "a" and "share-link" in (attributes.get("class") or ""):
            self.links.append(attributes)
        elif tag == "button" and ("data-share-native" in attributes or "data-share-copy" in attributes):
            self.buttons.append(attributes)
        elif tag == "input" and "data-share-input" in attributes:
            self.inputs.append(attributes)
        elif tag == "meta" and attributes.get("property"):
            self.metas[attributes["property"] or ""] = attributes.get("content")


def _parse(html: str) -> _Share:
    parser = _Share()
    parser.feed(html)
    return parser


def test_the_tag_renders_plain_links_that_open_safely_and_the_scripts_hooks(settings):
    settings.ALLOWED_HOSTS = ["shop.example"]
    request = RequestFactory().get("/products/merino-scarf/", HTTP_HOST="shop.example")
    template = Template(
        "{% load share_tags %}{% share_actions url=path title=title image_url=image text='EUR 39.00' %}"
    )

    html = template.render(
        Context(
            {
                "request": request,
                "path": "/products/merino-scarf/",
                "title": 'Scarf "Merino"',
                "image": "/m/a.jpg",
            }
        )
    )

    share = _parse(html)
    page = "http://shop.example/products/merino-scarf/"  # made absolute against the request
    assert share.box["data-url"] == f"{page}?utm_source=webshare&utm_medium=social"
    assert share.box["data-copy-url"] == f"{page}?utm_source=copy&utm_medium=social"
    assert share.box["data-title"] == 'Scarf "Merino"'
    assert share.box["data-text"] == 'Scarf "Merino" \N{EN DASH} EUR 39.00'
    assert share.box["data-copied"] == "Link copied"
    assert [link["aria-label"] for link in share.links] == [
        "Share on X (opens in a new tab)",
        "Share on Facebook (opens in a new tab)",
        "Share on Pinterest (opens in a new tab)",
        "Share on WhatsApp (opens in a new tab)",
        "Share by email",
    ]
    assert all(link["rel"] == "noopener noreferrer" for link in share.links)
    assert [link.get("target") for link in share.links] == ["_blank"] * 4 + [None]  # mailto: no empty tab
    assert _query(share.links[2]["href"] or "")["media"] == ["http://shop.example/m/a.jpg"]
    # Both buttons wait for the script; the field is the way without it.
    assert [("hidden" in button) for button in share.buttons] == [True, True]
    assert share.inputs[0]["value"] == share.box["data-copy-url"]
    assert "readonly" in share.inputs[0]
    assert "<script" not in html
    assert " style=" not in html
    assert re.search(r"<label[^>]*data-share-field>\s*<span>Link to this page</span>\s*<input", html)


@pytest.mark.django_db
def test_the_product_page_has_share_links_with_the_image_and_price(client):
    product = ProductFactory.create(title="Merino Scarf", variants=1, variants__price="39.00")
    ProductImage.objects.create(
        product=product, image="products/2025/01/scarf.jpg", width=1600, height=1200, alt_text="Scarf"
    )

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    share = _parse(html)
    page = "http://testserver/products/merino-scarf/"
    assert share.box["data-url"] == f"{page}?utm_source=webshare&utm_medium=social"
    assert share.box["data-text"] == "Merino Scarf \N{EN DASH} EUR 39.00"
    links = {link["class"]: link["href"] or "" for link in share.links}
    pinterest = _query(links["share-link share-pinterest"])
    assert pinterest["media"] == ["http://testserver/media/products/2025/01/scarf.jpg"]
    assert pinterest["url"] == [f"{page}?utm_source=pinterest&utm_medium=social"]
    assert '<script src="/static/js/share.js" defer></script>' in html


def _review_page(client, product: Product) -> _Share:
    review = review_of(product, rating=5, title="Soft and warm")
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert '<script src="/static/js/share.js" defer></script>' in response.content.decode()
    share = _parse(response.content.decode())
    assert (
        share.box["data-url"]
        == f"http://testserver{review.get_absolute_url()}?utm_source=webshare&utm_medium=social"
    )
    assert share.box["data-text"] == "Soft and warm \N{EN DASH} A review of Merino Scarf"
    return share


@pytest.mark.django_db
def test_a_review_without_photo_is_shared_with_the_products_first_image(client):
    product = ProductFactory.create(title="Merino Scarf")
    for position, name in [(1, "second"), (0, "first")]:
        ProductImage.objects.create(
            product=product,
            image=f"products/{name}.jpg",
            width=800,
            height=600,
            alt_text=name,
            position=position,
        )

    share = _review_page(client, product)

    assert share.metas["og:image"] == "http://testserver/media/products/first.jpg"
    pinterest = next(link["href"] or "" for link in share.links if "share-pinterest" in (link["class"] or ""))
    assert _query(pinterest)["media"] == ["http://testserver/media/products/first.jpg"]


@pytest.mark.django_db
def test_a_review_with_a_photo_is_shared_with_its_photo(client):
    product = ProductFactory.create(title="Merino Scarf")
    ProductImage.objects.create(
        product=product, image="products/first.jpg", width=800, height=600, alt_text="x"
    )
    review = review_of(product, rating=5, title="Soft and warm")
    ReviewPhoto.objects.create(review=review, image="reviews/mine.jpg", width=800, height=600)

    response = client.get(review.get_absolute_url())

    share = _parse(response.content.decode())
    assert share.metas["og:image"] == "http://testserver/media/reviews/mine.jpg"
    pinterest = next(link["href"] or "" for link in share.links if "share-pinterest" in (link["class"] or ""))
    assert unquote(_query(pinterest)["media"][0]) == "http://testserver/media/reviews/mine.jpg"


@pytest.mark.django_db
def test_a_review_without_any_image_has_no_og_image_and_no_pinterest_link(client):
    share = _review_page(client, ProductFactory.create(title="Merino Scarf"))

    assert "og:image" not in share.metas
    assert [link["aria-label"] for link in share.links][2] == "Share on WhatsApp (opens in a new tab)"
