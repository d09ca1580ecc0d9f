"""Descriptions are Markdown, rendered and sanitised once when saved; no raw
HTML an editor (or an import file) puts in them reaches the product page."""

import pytest

from catalog import services
from catalog.services import markdown_render
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db

HOSTILE = """\
# Great mug

Holds **tea**. <script>alert("xss")</script>

<img src="x" onerror="alert('img')">
<iframe src="https://evil.example/"></iframe>
<a href="https://ok.example/" onclick="steal()">click</a>
[js link](javascript:alert('link'))
<style>body { display: none }</style>
<p style="color: red">styled</p>

| Size | ml  |
| ---- | --- |
| S    | 250 |
"""


def test_hostile_markdown_never_reaches_the_product_page(client):
    product = ProductFactory.create(title="Mug", description=HOSTILE)

    response = client.get(product.get_absolute_url())

    content = response.content.decode()
    description = content[content.index('<section class="product-section product-description"') :]
    description = description[: description.index("</section>")]
    for forbidden in (
        "<script",
        "alert(",
        "onerror",
        "<iframe",
        "onclick",
        "javascript:",
        "<style",
        "style=",
        "<img",
    ):
        assert forbidden not in description, forbidden
    assert "Holds <strong>tea</strong>." in description
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">click</a>' in description
    assert "<td>250</td>" in description


def test_markdown_is_rendered_when_the_product_is_saved_not_per_request():
    product = ProductFactory.create(description="*soft*")

    product.description = "**firm**"
    services.product_save(product=product)

    product.refresh_from_db()
    assert product.description_html == "<p><strong>firm</strong></p>"


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<b onmouseover=x()>bold</b>", "<p><b>bold</b></p>"),
        ('[a](https://example.com "t")', '<p><a href="https://example.com" title="t" rel="noopener noreferrer nofollow">a</a></p>'),  # noqa: E501
        ("<svg onload=alert(1)>", "<p></p>"),
        ("[a](data:text/html;base64,PHNjcmlwdD4=)", '<p><a rel="noopener noreferrer nofollow">a</a></p>'),
        ("![pic](https://example.com/a.png)", "<p></p>"),
    ],
)  # fmt: skip
def test_markdown_render_keeps_text_formatting_and_drops_everything_active(markdown, html):
    assert markdown_render(markdown) == html


def test_the_description_in_meta_tags_is_plain_text(client):
    product = ProductFactory.create(title="Mug", description="Holds **tea** & <script>x()</script>coffee.")

    response = client.get(product.get_absolute_url())

    assert b'<meta name="description" content="Holds tea &amp; coffee.">' in response.content
