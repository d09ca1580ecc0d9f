import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from itertools import product as combinations

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import (
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    ProductSpecification,
    Variant,
)
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, VariantFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _options(product: Product, **options: list[str]) -> dict[str, dict[str, ProductOptionValue]]:
    created = {}
    for position, (name, values) in enumerate(options.items()):
        option = ProductOption.objects.create(product=product, name=name.title(), position=position)
        created[name] = {
            value: ProductOptionValue.objects.create(option=option, value=value, position=n)
            for n, value in enumerate(values)
        }
    return created


def _image(product: Product, *, variant: Variant | None = None, position: int = 0) -> ProductImage:
    """An image row as product_image_save leaves it (files are not read by the page)."""
    name = f"products/2025/01/{product.slug}-{position}"
    return ProductImage.objects.create(
        product=product,
        variant=variant,
        image=f"{name}.jpg",
        width=1600,
        height=1200,
        alt_text=f"{product.title} picture {position}",
        position=position,
        renditions={str(w): f"{name}-{w}w.webp" for w in (320, 640, 1024)},
    )


def _shirt(*, sizes: list[str], colours: list[str]) -> tuple[Product, dict[tuple[str, str], Variant]]:
    """A product with a variant (and an image) per size and colour."""
    parent = CategoryFactory.create(name="Clothing")
    category = CategoryFactory.create(name="Shirts", parent=parent)
    product = ProductFactory.create(
        title="Linen Shirt", variants=0, brand=BrandFactory.create(name="Acme"), description="Cool **linen**."
    )
    product.categories.add(category)
    values = _options(product, size=sizes, colour=colours)
    variants = {}
    for n, (size, colour) in enumerate(combinations(sizes, colours)):
        variant = VariantFactory.create(
            product=product, sku=f"SHIRT-{size}-{colour}", position=n, stock_on_hand=20
        )
        variant.option_values.add(values["size"][size], values["colour"][colour])
        _image(product, variant=variant, position=n)
        variants[size, colour] = variant
    ProductSpecification.objects.create(product=product, name="Material", value="Linen", position=0)
    related = ProductFactory.create(title="Cotton Shirt")
    related.categories.add(category)
    _image(related)
    return product, variants


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode())).strip()


class _Head(HTMLParser):
    """The meta tags and JSON-LD blocks of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (key := a.get("property") or a.get("name")):
            self.meta[key] = a.get("content") or ""
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False


def _head(response) -> _Head:
    parser = _Head()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize(
    ("sizes", "colours"), [(["M"], ["Red"]), (["XS", "S", "M", "L", "XL", "XXL"], list("ABCDE"))]
)
def test_product_page_runs_the_same_few_queries_with_1_or_30_variants_and_images(
    client, django_assert_max_num_queries, sizes, colours
):
    product, variants = _shirt(sizes=sizes, colours=colours)

    with django_assert_max_num_queries(10):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["page"].variants) == len(variants) == len(sizes) * len(colours)
    assert response.content.count(b'class="gallery-item"') == len(variants)


def test_page_shows_breadcrumbs_title_brand_description_specifications_and_related(client):
    product, _variants = _shirt(sizes=["S"], colours=["Red"])

    response = client.get(product.get_absolute_url())

    text = _text(response.content)
    crumbs = re.search(rb'<nav class="breadcrumbs".*?</nav>', response.content, re.S)
    assert crumbs is not None
    assert _text(crumbs.group(0)) == "Home Clothing Shirts Linen Shirt"
    assert b'<a href="/categories/clothing/">Clothing</a>' in crumbs.group(0)
    assert b'<li aria-current="page">Linen Shirt</li>' in crumbs.group(0)
    assert "Acme" in text
    assert b"Cool <strong>linen</strong>." in response.content
    assert b'<th scope="row">Material</th><td>Linen</td>' in response.content
    assert [p.title for p in response.context["related"]] == ["Cotton Shirt"]
    assert b'href="/products/cotton-shirt/"' in response.content


def test_without_a_choice_the_first_variant_in_stock_is_shown(client):
    product, variants = _shirt(sizes=["S", "M"], colours=["Red"])
    Variant.objects.filter(pk=variants["S", "Red"].pk).update(stock_on_hand=0)

    response = client.get(product.get_absolute_url())

    assert response.context["page"].chosen == variants["M", "Red"]
    assert b"<span data-variant-sku>SHIRT-M-Red</span>" in response.content


def test_variant_in_the_query_shows_its_price_compare_at_price_stock_and_sku_without_javascript(client):
    product, variants = _shirt(sizes=["S", "M"], colours=["Red", "Blue"])
    chosen = variants["M", "Blue"]
    Variant.objects.filter(pk=chosen.pk).update(
        price=Decimal("24.50"), compare_at_price=Decimal("30.00"), stock_on_hand=3
    )

    response = client.get(product.get_absolute_url(), {"variant": chosen.pk})

    content = response.content.decode()
    assert "<strong data-variant-price>EUR 24.50</strong>" in content
    assert "<span data-variant-compare-amount>EUR 30.00</span>" in content
    assert '<s class="compare-at" data-variant-compare>' in content  # not hidden
    assert '<p class="stock stock-low" data-variant-stock>Only 3 left</p>' in content
    assert "<span data-variant-sku>SHIRT-M-Blue</span>" in content
    assert f'name="variant" value="{chosen.pk}" data-cart-variant' in content


def test_option_values_from_the_picker_form_choose_the_matching_variant(client):
    product, variants = _shirt(sizes=["S", "M"], colours=["Red", "Blue"])
    size_m = ProductOptionValue.objects.get(option__product=product, value="M")
    blue = ProductOptionValue.objects.get(option__product=product, value="Blue")

    response = client.get(
        product.get_absolute_url(),
        {f"option-{size_m.option_id}": size_m.pk, f"option-{blue.option_id}": blue.pk},
    )

    page = response.context["page"]
    assert page.chosen == variants["M", "Blue"]
    assert not page.combination_missing
    content = response.content.decode()
    assert f'<option value="{size_m.pk}" selected>M</option>' in content
    assert f'<option value="{blue.pk}" selected>Blue</option>' in content


def test_a_combination_that_does_not_exist_shows_the_closest_variant_with_a_note(client):
    product, variants = _shirt(sizes=["S", "M"], colours=["Red", "Blue"])
    variants["M", "Blue"].delete()
    size_m = ProductOptionValue.objects.get(option__product=product, value="M")
    blue = ProductOptionValue.objects.get(option__product=product, value="Blue")

    response = client.get(
        product.get_absolute_url(),
        {f"option-{size_m.option_id}": size_m.pk, f"option-{blue.option_id}": blue.pk},
    )

    assert response.context["page"].chosen == variants["M", "Red"]
    assert b"That combination is not available; this is the closest one." in response.content


@pytest.mark.parametrize(
    "query",
    ["variant=999999", "variant=abc", "variant=", "variant=-1", "variant=" + "9" * 40, "variant=%EF%BC%91",
     "option-abc=1", "option-1=x", "option-999=999"],
)  # fmt: skip
def test_unknown_or_malformed_variant_choices_fall_back_to_the_default_variant(client, query):
    product, variants = _shirt(sizes=["S"], colours=["Red"])

    response = client.get(f"{product.get_absolute_url()}?{query}")

    assert response.status_code == 200
    assert response.context["page"].chosen == variants["S", "Red"]


def test_variant_of_another_product_is_ignored(client):
    product, variants = _shirt(sizes=["S"], colours=["Red"])
    other = ProductFactory.create(title="Other")

    response = client.get(product.get_absolute_url(), {"variant": other.variants.get().pk})

    assert response.context["page"].chosen == variants["S", "Red"]


@pytest.mark.parametrize(
    ("on_hand", "reserved", "threshold", "text", "code"),
    [
        (20, 0, 5, "In stock", "in_stock"),
        (6, 0, 5, "In stock", "in_stock"),
        (5, 0, 5, "Only 5 left", "low"),
        (10, 7, 5, "Only 3 left", "low"),
        (1, 0, 0, "In stock", "in_stock"),
        (4, 4, 5, "Out of stock", "out"),
        (0, 0, 5, "Out of stock", "out"),
    ],
)
def test_stock_status_counts_only_unreserved_units(client, on_hand, reserved, threshold, text, code):
    product = ProductFactory.create(title="Lamp")
    Variant.objects.filter(product=product).update(
        stock_on_hand=on_hand, stock_reserved=reserved, low_stock_threshold=threshold
    )

    response = client.get(product.get_absolute_url())

    assert f'<p class="stock stock-{code}" data-variant-stock>{text}</p>' in response.content.decode()


def test_out_of_stock_variant_cannot_be_added_to_the_cart(client):
    product = ProductFactory.create(title="Lamp", variants__stock=0)

    response = client.get(product.get_absolute_url())

    content = response.content.decode()
    assert '<form class="add-to-cart" method="post" action="/cart/add/">' in content
    assert re.search(r"<button type=\"submit\" data-cart-submit disabled", content)


def test_add_to_cart_form_posts_variant_and_quantity_with_a_csrf_token(client):
    product = ProductFactory.create(title="Lamp")
    variant = product.variants.get()

    response = client.get(product.get_absolute_url())

    content = response.content.decode()
    form = content[
        content.index('<form class="add-to-cart"') : content.index("</form>", content.index("add-to-cart"))
    ]
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="variant" value="{variant.pk}"' in form
    assert 'name="quantity" value="1" min="1" max="10"' in form


def test_a_product_without_options_but_several_variants_gets_a_variant_select(client):
    product = ProductFactory.create(title="Lamp", variants=2)
    _first, second = product.variants.all()

    response = client.get(product.get_absolute_url(), {"variant": second.pk})

    content = response.content.decode()
    assert '<select id="variant-choice" name="variant" data-variant-select>' in content
    assert f'<option value="{second.pk}" selected>{second.sku}</option>' in content


def test_a_product_with_a_single_variant_has_no_picker(client):
    product = ProductFactory.create(title="Lamp")

    response = client.get(product.get_absolute_url())

    assert b"data-variant-picker" not in response.content


def test_chosen_variants_images_come_first_in_the_gallery(client):
    product, variants = _shirt(sizes=["S", "M"], colours=["Red"])
    general = _image(product, position=5)
    chosen = variants["M", "Red"]

    response = client.get(product.get_absolute_url(), {"variant": chosen.pk})

    ids = [int(pk) for pk in re.findall(rb'class="gallery-item" data-image-id="(\d+)"', response.content)]
    assert ids == [chosen.images.get().pk, variants["S", "Red"].images.get().pk, general.pk]
    lead = rb'data-image-id="%d">\s*<a [^>]*>\s*<img [^>]*loading="eager"' % ids[0]
    assert re.search(lead, response.content)


def test_variant_data_for_the_script_is_embedded_as_json(client):
    product, variants = _shirt(sizes=["S"], colours=["Red", "Blue"])
    blue = variants["S", "Blue"]

    response = client.get(product.get_absolute_url())

    match = re.search(
        rb'<script id="product-variants" type="application/json">(.*?)</script>', response.content
    )
    assert match is not None
    data = {variant["sku"]: variant for variant in json.loads(match.group(1))}
    assert data["SHIRT-S-Blue"] == {
        "id": blue.pk,
        "sku": "SHIRT-S-Blue",
        "price": "EUR 19.99",
        "compareAt": "",
        "salePrice": "",
        "stock": "In stock",
        "stockCode": "in_stock",
        "available": 20,
        "values": sorted(blue.option_values.values_list("pk", flat=True)),
        "images": [blue.images.get().pk],
    }
    assert b'<script src="/static/js/product.js" defer></script>' in response.content


def test_json_ld_describes_the_product_with_an_offer_per_variant(client, settings):
    settings.SHOP_CURRENCY = "EUR"
    product, variants = _shirt(sizes=["S"], colours=["Red", "Blue"])
    Variant.objects.filter(pk=variants["S", "Blue"].pk).update(stock_on_hand=0, price=Decimal("21.00"))

    response = client.get(product.get_absolute_url())

    blocks = _head(response).json_ld
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    url = "http://testserver/products/linen-shirt/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Linen Shirt"
    assert data["description"] == "Cool linen."
    assert data["url"] == url
    assert data["sku"] == "SHIRT-S-Red"
    assert data["brand"] == {"@type": "Brand", "name": "Acme"}
    assert data["image"][0] == "http://testserver/media/products/2025/01/linen-shirt-0-1024w.webp"
    assert data["offers"] == [
        {
            "@type": "Offer",
            "sku": "SHIRT-S-Red",
            "price": "19.99",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "url": f"{url}?variant={variants['S', 'Red'].pk}",
            "itemCondition": "https://schema.org/NewCondition",
        },
        {
            "@type": "Offer",
            "sku": "SHIRT-S-Blue",
            "price": "21.00",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/OutOfStock",
            "url": f"{url}?variant={variants['S', 'Blue'].pk}",
            "itemCondition": "https://schema.org/NewCondition",
        },
    ]


def test_json_ld_cannot_be_broken_out_of_by_the_product_title(client):
    product = ProductFactory.create(title="</script><script>alert(1)</script>", slug="evil")

    response = client.get(product.get_absolute_url())

    assert b"<script>alert(1)" not in response.content
    assert json.loads(_head(response).json_ld[0])["name"] == "</script><script>alert(1)</script>"


def test_open_graph_and_twitter_card_tags(client):
    product, _variants = _shirt(sizes=["S"], colours=["Red"])
    product.seo_title = "Linen Shirt for hot days"
    product.seo_description = "Breathes well."
    services.product_save(product=product)

    response = client.get(product.get_absolute_url())

    meta = _head(response).meta
    image = "http://testserver/media/products/2025/01/linen-shirt-0-1024w.webp"
    assert {key: value for key, value in meta.items() if key.startswith(("og:", "twitter:", "product:"))} == {
        "og:type": "product",
        "og:site_name": "Shop",
        "og:title": "Linen Shirt for hot days",
        "og:description": "Breathes well.",
        "og:url": "http://testserver/products/linen-shirt/",
        "og:image": image,
        "og:image:alt": "Linen Shirt picture 0",
        "product:price:amount": "19.99",
        "product:price:currency": "EUR",
        "twitter:card": "summary_large_image",
        "twitter:title": "Linen Shirt for hot days",
        "twitter:description": "Breathes well.",
        "twitter:image": image,
        "twitter:label1": "Price",
        "twitter:data1": "EUR 19.99",
    }
    assert meta["description"] == "Breathes well."
    assert b"<title>Linen Shirt for hot days \xc2\xb7 Shop</title>" in response.content
    assert b'<link rel="canonical" href="http://testserver/products/linen-shirt/">' in response.content


def test_inactive_product_is_404_for_shoppers(client):
    product = ProductFactory.create(title="Retired", is_active=False)

    response = client.get(product.get_absolute_url())

    assert response.status_code == 404


def test_inactive_product_is_shown_to_staff_with_a_notice(client):
    product = ProductFactory.create(title="Retired", is_active=False)
    client.force_login(UserFactory.create(is_staff=True))

    response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert b"This product is inactive: shoppers cannot see this page." in response.content
    assert b'<meta name="robots" content="noindex">' in response.content


def test_inactive_product_stays_404_for_a_signed_in_customer(client):
    product = ProductFactory.create(title="Retired", is_active=False)
    client.force_login(UserFactory.create())

    assert client.get(product.get_absolute_url()).status_code == 404


def test_unknown_slug_is_404(client):
    assert client.get(reverse("catalog:product", kwargs={"slug": "nope"})).status_code == 404


def test_inactive_variants_and_categories_are_left_out(client):
    product, variants = _shirt(sizes=["S", "M"], colours=["Red"])
    Variant.objects.filter(pk=variants["S", "Red"].pk).update(is_active=False)
    product.categories.filter(name="Shirts").update(is_active=False)

    response = client.get(product.get_absolute_url(), {"variant": variants["S", "Red"].pk})

    assert [v.sku for v in response.context["page"].variants] == ["SHIRT-M-Red"]
    assert response.context["page"].chosen.sku == "SHIRT-M-Red"
    assert response.context["breadcrumbs"] == []
    assert b"SHIRT-S-Red" not in response.content


def test_related_products_leave_out_inactive_ones_and_the_product_itself(client):
    product, _variants = _shirt(sizes=["S"], colours=["Red"])
    category = product.categories.get(name="Shirts")
    ProductFactory.create(title="Hidden Shirt", is_active=False).categories.add(category)
    ProductFactory.create(title="Elsewhere")

    response = client.get(product.get_absolute_url())

    assert [p.title for p in response.context["related"]] == ["Cotton Shirt"]
