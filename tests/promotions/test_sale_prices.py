"""Sale prices on product and listing pages, written from the automatic
promotions running now, cleared when they end."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category, Product, Variant
from catalog.services import product_listing_refresh
from promotions.models import Promotion
from promotions.services import promotion_sale_prices_refresh
from promotions.values import OfferKind
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, VariantFactory
from tests.promotions.factories import PromotionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoes() -> Category:
    return CategoryFactory.create(name="Shoes")


@pytest.fixture
def trainer(shoes: Category) -> Product:
    """Filed under a subcategory of Shoes, with variants at 10.00 and 24.99."""
    trainers = CategoryFactory.create(name="Trainers", parent=shoes)
    product = ProductFactory.create(title="Runner", variants=0)
    product.categories.add(trainers)
    VariantFactory.create(product=product, sku="RUN-1", price=Decimal("10.00"), position=0)
    VariantFactory.create(product=product, sku="RUN-2", price=Decimal("24.99"), position=1)
    return product


def _sale_prices(product: Product) -> list[Decimal | None]:
    return list(product.variants.order_by("position").values_list("sale_price", flat=True))


def test_a_category_promotion_puts_its_products_on_sale(shoes, trainer):
    other = ProductFactory.create(title="Mug")
    PromotionFactory.create(value=Decimal(20), categories=[shoes])

    on_offer = promotion_sale_prices_refresh()

    trainer.refresh_from_db()
    other.refresh_from_db()
    assert on_offer == 1
    assert _sale_prices(trainer) == [Decimal("8.00"), Decimal("19.99")]  # 24.99 - 5.00 (4.998 rounded)
    assert (trainer.sale_price_min, trainer.offer_label) == (Decimal("8.00"), "-20%")
    assert (other.sale_price_min, other.offer_label) == (None, "")
    assert _sale_prices(other) == [None]


def test_the_best_percentage_wins_and_names_the_badge(shoes, trainer):
    brand = BrandFactory.create()
    Product.objects.filter(pk=trainer.pk).update(brand=brand)
    PromotionFactory.create(value=Decimal(10), categories=[shoes])
    PromotionFactory.create(value=Decimal(25), brands=[brand])
    PromotionFactory.create(value=Decimal(15), products=[trainer])

    promotion_sale_prices_refresh()

    trainer.refresh_from_db()
    assert _sale_prices(trainer) == [Decimal("7.50"), Decimal("18.74")]
    assert (trainer.sale_price_min, trainer.offer_label) == (Decimal("7.50"), "-25%")


def test_buy_x_pay_y_and_minimum_subtotal_promotions_show_a_badge_without_a_sale_price(shoes, trainer):
    mug = ProductFactory.create(title="Mug")
    PromotionFactory.create(
        kind=OfferKind.BUY_X_PAY_Y, value=0, buy_quantity=3, pay_quantity=2, products=[mug]
    )
    PromotionFactory.create(value=Decimal(10), min_subtotal=Decimal(50), categories=[shoes])

    assert promotion_sale_prices_refresh() == 2

    mug.refresh_from_db()
    trainer.refresh_from_db()
    assert (mug.sale_price_min, mug.offer_label) == (None, "Buy 3, pay for 2")
    assert (trainer.sale_price_min, trainer.offer_label) == (None, "-10% from EUR 50.00")
    assert _sale_prices(trainer) == [None, None]


def test_inactive_variants_are_not_on_sale_nor_counted(shoes, trainer):
    Variant.objects.filter(sku="RUN-1").update(is_active=False)
    product_listing_refresh(product_ids=[trainer.pk])
    PromotionFactory.create(value=Decimal(20), categories=[shoes])

    promotion_sale_prices_refresh()

    trainer.refresh_from_db()
    assert _sale_prices(trainer) == [None, Decimal("19.99")]
    assert trainer.sale_price_min == Decimal("19.99")


def test_sale_prices_go_when_the_promotion_ends(shoes, trainer):
    now = timezone.now()
    PromotionFactory.create(value=Decimal(20), categories=[shoes], ends_at=now + timedelta(days=1))
    promotion_sale_prices_refresh(now=now)

    assert promotion_sale_prices_refresh(now=now + timedelta(days=1)) == 0

    trainer.refresh_from_db()
    assert _sale_prices(trainer) == [None, None]
    assert (trainer.sale_price_min, trainer.offer_label) == (None, "")


def test_a_whole_shop_promotion_covers_every_product(trainer):
    ProductFactory.create(variants=2, variants__price=Decimal("5.00"))
    PromotionFactory.create(value=Decimal(50))

    assert promotion_sale_prices_refresh() == 2
    assert set(Variant.objects.values_list("sale_price", flat=True)) == {
        Decimal("2.50"),
        Decimal("5.00"),
        Decimal("12.49"),
    }


def test_the_refresh_runs_the_same_queries_for_many_products(shoes, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PromotionFactory.create(value=Decimal(20), categories=[shoes])
    PromotionFactory.create(kind=OfferKind.BUY_X_PAY_Y, value=0, buy_quantity=3, pay_quantity=2)

    def queries_for(products: int) -> int:
        Product.objects.all().delete()
        for _ in range(products):
            ProductFactory.create(variants=2).categories.add(shoes)
        with CaptureQueriesContext(connection) as captured:
            promotion_sale_prices_refresh()
        return len(captured)

    assert queries_for(2) == queries_for(40)
    assert Variant.objects.filter(sale_price__isnull=True).count() == 0


def test_the_periodic_task_skips_work_until_promotions_or_the_catalog_change(
    shoes, trainer, django_assert_num_queries
):
    from promotions.tasks import promotion_sale_prices_refresh as task

    promotion = PromotionFactory.create(value=Decimal(20), categories=[shoes])
    assert task.delay().get() == 1

    with django_assert_num_queries(1):  # the running promotions, to compare
        assert task.delay().get() == 1

    Variant.objects.filter(sku="RUN-1").update(price=Decimal("20.00"))
    product_listing_refresh(product_ids=[trainer.pk])  # bumps the catalog generation
    task.delay().get()
    assert Variant.objects.get(sku="RUN-1").sale_price == Decimal("16.00")

    Promotion.objects.filter(pk=promotion.pk).update(value=Decimal(50), updated_at=timezone.now())
    task.delay().get()
    assert Variant.objects.get(sku="RUN-1").sale_price == Decimal("10.00")


# --- Pages -----------------------------------------------------------------------------


def _script(html: str, opening: str) -> str:
    match = re.search(rf"{opening}(.*?)</script>", html, re.S)
    assert match, f"no {opening}"
    return match.group(1)


def _card(html: str, title: str) -> str:
    match = re.search(rf'<article class="product-card">(?:(?!</article>).)*?{title}.*?</article>', html, re.S)
    assert match, f"no card for {title}"
    return match.group(0)


def test_listing_pages_show_the_sale_price_beside_the_struck_regular_price(client, shoes, trainer):
    PromotionFactory.create(value=Decimal(20), categories=[shoes])
    promotion_sale_prices_refresh()

    for url in (reverse("catalog:product_list"), shoes.get_absolute_url()):
        card = _card(client.get(url).text, "Runner")
        assert '<span class="price price-sale">EUR 8.00</span>' in card
        assert re.search(
            r'<s class="compare-at"><span class="visually-hidden">was </span>EUR 10.00</s>', card
        )
        assert '<span class="offer-badge">-20%</span>' in card


def test_the_product_page_shows_the_chosen_variants_sale_price(client, shoes, trainer):
    PromotionFactory.create(value=Decimal(20), categories=[shoes])
    promotion_sale_prices_refresh()
    second = Variant.objects.get(sku="RUN-2")

    html = client.get(trainer.get_absolute_url() + f"?variant={second.pk}").text

    assert '<strong data-variant-price class="price-sale">EUR 19.99</strong>' in html
    assert re.search(
        r'<s class="compare-at" data-variant-regular><span class="visually-hidden">was </span>'
        r"<span data-variant-regular-amount>EUR 24.99</span></s>",
        html,
    )
    assert '<span class="offer-badge">-20%</span>' in html
    data = json.loads(_script(html, r'<script id="product-variants" type="application/json">'))
    assert [(v["price"], v["salePrice"]) for v in data] == [
        ("EUR 10.00", "EUR 8.00"),
        ("EUR 24.99", "EUR 19.99"),
    ]
    json_ld = json.loads(_script(html, r'<script type="application/ld\+json">'))
    assert [offer["price"] for offer in json_ld["offers"]] == ["8.00", "19.99"]


def test_pages_show_no_sale_once_the_promotion_ended(client, shoes, trainer):
    now = timezone.now()
    PromotionFactory.create(value=Decimal(20), categories=[shoes], ends_at=now + timedelta(hours=1))
    promotion_sale_prices_refresh(now=now)
    promotion_sale_prices_refresh(now=now + timedelta(hours=1))

    card = _card(client.get(reverse("catalog:product_list")).text, "Runner")
    page = client.get(trainer.get_absolute_url()).text

    assert '<span class="price">EUR 10.00</span>' in card
    assert "price-sale" not in card
    assert "offer-badge" not in card
    assert "<s " not in card
    assert "<strong data-variant-price>EUR 10.00</strong>" in page
    assert '<s class="compare-at" data-variant-regular hidden>' in page
    assert 'class="offer-badge"' not in page


def test_cached_catalog_pages_show_the_sale_at_once(client, settings, shoes, trainer):
    settings.CATALOG_PAGE_CACHE_SECONDS = 300
    settings.CATALOG_CARD_CACHE_SECONDS = 300
    url = reverse("catalog:product_list")
    assert "price-sale" not in client.get(url).text
    PromotionFactory.create(value=Decimal(20), categories=[shoes])

    promotion_sale_prices_refresh()

    assert '<span class="price price-sale">EUR 8.00</span>' in client.get(url).text


def test_saving_a_promotion_in_the_admin_refreshes_sale_prices_on_commit(
    staff_client, shoes, trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:promotions_promotion_add"),
            {
                "name": "Shoe week",
                "kind": OfferKind.PERCENT,
                "value": "20",
                "min_subtotal": "0",
                "buy_quantity": "0",
                "pay_quantity": "0",
                "is_active": "on",
                "categories": [shoes.pk],
            },
        )
    assert response.status_code == 302, response.text

    trainer.refresh_from_db()
    assert (trainer.sale_price_min, trainer.offer_label) == (Decimal("8.00"), "-20%")

    promotion = Promotion.objects.get(name="Shoe week")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:promotions_promotion_delete", args=[promotion.pk]), {"post": "yes"}
        )
    assert response.status_code == 302

    trainer.refresh_from_db()
    assert (trainer.sale_price_min, trainer.offer_label) == (None, "")
