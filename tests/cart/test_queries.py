"""Query budgets: the cart page stays within 8 queries however many lines it
shows (9 for users: their header counts unread notifications), for guests and
users, with an automatic promotion and a held code; adding to the cart
within 10.

The page is asked twice: first with every cache cold, when the session, the
tax rates and the automatic promotions (two queries) are read from the
database once, then as it runs nearly always, with them cached.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cart.models import Cart, TaxRate
from cart.pages import CartRow
from cart.selectors import cart_lines
from cart.services import cart_promo_apply
from catalog.models import ProductImage
from promotions.models import PromoCode, Promotion
from promotions.services import promo_code_save, promotion_save
from promotions.values import OfferKind, PromoContext
from tests.cart.factories import cart_with, product_with_variants
from tests.factories import UserFactory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from catalog.models import Variant

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 8
# The cold page reads, once per cache lifetime: the session, the tax rates
# and, once promotions exist, the running promotions and their scopes.
COLD_EXTRA_WITH_PROMOTIONS = 3
# A signed-in person's header shows their unread notifications: one COUNT.
SIGNED_IN_EXTRA = 1
ADD_BUDGET = 10
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b")


@contextmanager
def _max_data_queries(limit: int) -> Iterator[CaptureQueriesContext]:
    """At most ``limit`` statements that read or write data; Django 6 also
    records BEGIN/COMMIT, which a write needs whatever it writes (the session
    save alone is three), so they are counted apart and capped loosely."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    statements = [query["sql"] for query in captured.captured_queries]
    data = [sql for sql in statements if not TRANSACTION_CONTROL.match(sql)]
    assert len(data) <= limit, f"{len(data)} queries:\n" + "\n".join(data)
    assert len(statements) - len(data) <= 4, statements  # two transactions: the change and the session


def _variants(count: int) -> list[Variant]:
    """``count`` variants over several products, each with an image-less
    product, options and categories (as the page reads them)."""
    variants: list[Variant] = []
    colours = ("Red", "Blue", "Green")
    n = 0
    while len(variants) < count:
        _product, more = product_with_variants(f"Shirt {n}", colours=colours)
        variants.extend(more)
        n += 1
    return variants[:count]


def _client_for(cart: Cart) -> Client:
    client = Client()
    if cart.user is not None:
        client.force_login(cart.user)
    else:
        session = client.session
        session["cart_id"] = cart.pk
        session["cart_count"] = sum(cart.lines.values_list("quantity", flat=True))
        session.save()
    return client


@pytest.fixture
def promotions() -> None:
    """An automatic promotion (10% off) and a 5.00 code, from the real app."""
    TaxRate.objects.create(country="DE", tax_class="standard", rate=Decimal(19))
    promotion_save(promotion=Promotion(name="Spring sale", kind=OfferKind.PERCENT, value=Decimal(10)))
    promo_code_save(code=PromoCode(name="Five off", code="FIVE", kind=OfferKind.FIXED, value=Decimal(5)))


@pytest.mark.parametrize("lines", [1, 12])
@pytest.mark.parametrize("who", ["guest", "user"])
@pytest.mark.parametrize("with_promotions", [False, True], ids=["plain", "promotions"])
def test_the_cart_page_stays_within_its_query_budget(
    django_assert_max_num_queries, request, lines, who, with_promotions
):
    if with_promotions:
        request.getfixturevalue("promotions")
    user = UserFactory.create() if who == "user" else None
    cart = cart_with(*[(variant, 2) for variant in _variants(lines)], user=user)
    if with_promotions:
        cart_promo_apply(cart=cart, code="FIVE", context=PromoContext())
    client = _client_for(cart)
    cache.clear()  # cold: session, tax rates and offers come from the database

    page_budget = PAGE_BUDGET + (SIGNED_IN_EXTRA if user is not None else 0)
    cold_budget = page_budget + (COLD_EXTRA_WITH_PROMOTIONS if with_promotions else 0)
    with django_assert_max_num_queries(cold_budget):
        cold = client.get("/cart/")
    with django_assert_max_num_queries(page_budget):
        warm = client.get("/cart/")

    for response in (cold, warm):
        assert response.status_code == 200
        assert response.content.decode().count('class="cart-line"') == lines
        if with_promotions:
            assert "Spring sale" in response.content.decode()
            assert "<dt>FIVE" in response.content.decode()


# Without the test's own transaction around it, as in production: there
# each outermost atomic block is BEGIN/COMMIT, not two savepoint queries.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["guest", "user"])
@pytest.mark.parametrize("first", [True, False], ids=["first-line", "more"])
def test_adding_to_the_cart_stays_within_its_query_budget(who, first):
    variants = _variants(12)
    user = UserFactory.create() if who == "user" else None
    client = Client()
    if user:
        client.force_login(user)
    if not first:
        for variant in variants[1:]:
            client.post("/cart/add/", {"variant": variant.pk, "quantity": "1"})

    with _max_data_queries(ADD_BUDGET):
        response = client.post("/cart/add/", {"variant": variants[0].pk, "quantity": "2", "next": "/"})
    with _max_data_queries(ADD_BUDGET):
        again = client.post(
            "/cart/add/", {"variant": variants[0].pk, "quantity": "1"}, headers={"Accept": "application/json"}
        )

    assert response.status_code == 303
    assert again.json()["count"] == (3 if first else 14)


def test_a_line_shows_its_variants_image_else_the_products_else_any():
    tee, (red, blue, green) = product_with_variants("Tee", colours=("Red", "Blue", "Green"))
    cap, (black, white) = product_with_variants("Cap", colours=("Black", "White"))
    ProductImage.objects.bulk_create(  # no files: with the sizes given, none is read
        ProductImage(
            product=product,
            variant=variant,
            image=f"products/{name}.jpg",
            position=position,
            width=800,
            height=600,
        )
        for product, variant, name, position in (
            (tee, None, "tee-2", 2),
            (tee, None, "tee-1", 1),
            (tee, blue, "blue-b", 4),
            (tee, blue, "blue-a", 0),  # first of all, yet not the red tee's
            (cap, white, "white", 0),  # the cap's only image
        )
    )
    cart = cart_with((red, 1), (blue, 1), (green, 1), (black, 1))

    rows = {
        line.variant_id: CartRow(line=line, priced=None, warnings=[])  # type: ignore[arg-type]  # image only
        for line in cart_lines(cart=cart)
    }

    shown = {variant_id: row.image.image.name for variant_id, row in rows.items() if row.image}
    assert shown == {
        blue.pk: "products/blue-a.jpg",
        red.pk: "products/tee-1.jpg",
        green.pk: "products/tee-1.jpg",
        black.pk: "products/white.jpg",
    }
