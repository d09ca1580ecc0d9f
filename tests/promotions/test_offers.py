"""Codes and automatic promotions as the cart sees them: Offers, or a
refusal saying why, and the cached list of automatic offers."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from catalog.models import Category
from promotions import services
from promotions.models import Redemption
from promotions.selectors import promo_code_offer, promotion_offers_active
from promotions.values import (
    Customer,
    Offer,
    OfferKind,
    PromoContext,
    PromoRefused,
    RefusalReason,
)
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory
from tests.factories import UserFactory
from tests.promotions.factories import PromoCodeFactory, PromotionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def _refusal(code: str, **context: object) -> PromoRefused:
    with pytest.raises(PromoRefused) as caught:
        promo_code_offer(code=code, context=PromoContext(now=NOW, **context))  # type: ignore[arg-type]
    return caught.value


def test_a_code_is_found_in_any_case_and_becomes_an_offer():
    code = PromoCodeFactory.create(code="summer10", kind=OfferKind.PERCENT, value=Decimal(10))

    offer = promo_code_offer(code="  Summer10 ", context=PromoContext(now=NOW))

    assert code.code == "SUMMER10"
    assert offer == Offer(
        key=f"code:{code.pk}",
        label="SUMMER10: 10% off",
        kind=OfferKind.PERCENT,
        value=Decimal("10.00"),
        code="SUMMER10",
    )


@pytest.mark.parametrize(
    ("kind", "value", "label"),
    [
        (OfferKind.FIXED, Decimal(5), "SAVE: EUR 5.00 off"),
        (OfferKind.FREE_SHIPPING, Decimal(0), "SAVE: free shipping"),
        (OfferKind.PERCENT, Decimal("12.5"), "SAVE: 12.5% off"),
    ],
)
def test_offer_labels_say_what_comes_off(kind, value, label):
    PromoCodeFactory.create(code="save", kind=kind, value=value)

    assert promo_code_offer(code="SAVE", context=PromoContext(now=NOW)).label == label


def test_buy_x_pay_y_codes_carry_their_quantities():
    PromoCodeFactory.create(code="B3P2", kind=OfferKind.BUY_X_PAY_Y, value=0, buy_quantity=3, pay_quantity=2)

    offer = promo_code_offer(code="b3p2", context=PromoContext(now=NOW))

    assert (offer.label, offer.buy_quantity, offer.pay_quantity) == ("B3P2: buy 3, pay for 2", 3, 2)


def test_the_offer_lists_the_selected_scope_ids_and_code_rules():
    shoes = CategoryFactory.create(name="Shoes")
    CategoryFactory.create(name="Trainers", parent=shoes)  # matched through the line's ancestors
    brand = BrandFactory.create()
    product = ProductFactory.create()
    code = PromoCodeFactory.create(
        code="SHOES",
        min_subtotal=Decimal(50),
        stackable=True,
        categories=[shoes],
        brands=[brand],
        products=[product],
    )

    offer = promo_code_offer(code="shoes", context=PromoContext(now=NOW))

    assert offer.category_ids == frozenset({shoes.pk})
    assert offer.brand_ids == frozenset({brand.pk})
    assert offer.product_ids == frozenset({product.pk})
    assert (offer.min_subtotal, offer.stackable, offer.key) == (Decimal("50.00"), True, f"code:{code.pk}")


def test_an_unknown_code_is_refused_by_name():
    refusal = _refusal(" nope ")

    assert refusal.reason == RefusalReason.UNKNOWN
    assert refusal.message == "We don't know the code NOPE."


def test_a_code_before_its_start_says_from_when():
    PromoCodeFactory.create(code="SOON", starts_at=datetime(2026, 8, 1, 9, 30, tzinfo=UTC))

    refusal = _refusal("soon")

    assert refusal.reason == RefusalReason.NOT_YET_VALID
    assert refusal.message == "SOON is valid from 1 August 2026, 09:30."


def test_an_expired_code_says_when_it_ended():
    PromoCodeFactory.create(code="OLD", ends_at=datetime(2026, 6, 30, 23, 59, tzinfo=UTC))

    refusal = _refusal("old")

    assert refusal.reason == RefusalReason.EXPIRED
    assert refusal.message == "OLD expired on 30 June 2026, 23:59."


def test_a_code_ends_at_its_end_time_exactly():
    PromoCodeFactory.create(code="EDGE", starts_at=NOW - timedelta(days=1), ends_at=NOW)

    assert _refusal("edge").reason == RefusalReason.EXPIRED
    offer = promo_code_offer(code="edge", context=PromoContext(now=NOW - timedelta(seconds=1)))
    assert offer.code == "EDGE"


def test_a_deactivated_code_is_no_longer_valid():
    PromoCodeFactory.create(code="OFF", is_active=False)

    refusal = _refusal("off")

    assert (refusal.reason, refusal.message) == (RefusalReason.EXPIRED, "OFF is no longer valid.")


def test_a_code_used_up_is_refused_with_limit_reached():
    code = PromoCodeFactory.create(code="TEN", usage_limit=2)
    for n in range(2):
        services.promo_code_redeem(
            code="TEN", order_reference=f"A{n}", user_id=None, email=f"{n}@example.com", amount=Decimal(1)
        )

    refusal = _refusal("ten")

    code.refresh_from_db()
    assert code.times_used == 2
    assert (refusal.reason, refusal.message) == (
        RefusalReason.LIMIT_REACHED,
        "TEN has reached its usage limit.",
    )


def test_first_order_only_codes_refuse_customers_with_orders():
    PromoCodeFactory.create(code="HELLO", first_order_only=True)

    refusal = _refusal("hello", customer=Customer(user_id=None, email="a@example.com", order_count=1))

    assert (refusal.reason, refusal.message) == (
        RefusalReason.FIRST_ORDER_ONLY,
        "HELLO is for a first order only.",
    )
    first = PromoContext(now=NOW, customer=Customer(email="a@example.com", order_count=0))
    assert promo_code_offer(code="hello", context=first).code == "HELLO"


def test_a_user_who_used_a_code_as_often_as_allowed_is_refused():
    user = UserFactory.create()
    PromoCodeFactory.create(code="ONCE", per_customer_limit=1)
    services.promo_code_redeem(
        code="once", order_reference="A1", user_id=user.pk, email=user.email, amount=Decimal(1)
    )

    refusal = _refusal("once", customer=Customer(user_id=user.pk, email="other@example.com"))

    assert (refusal.reason, refusal.message) == (RefusalReason.ALREADY_USED, "You have already used ONCE.")
    other = PromoContext(now=NOW, customer=Customer(user_id=UserFactory.create().pk, email="x@example.com"))
    assert promo_code_offer(code="once", context=other).code == "ONCE"


def test_guests_are_recognised_by_email_without_regard_to_case():
    PromoCodeFactory.create(code="TWICE", per_customer_limit=2)
    for n in range(2):
        services.promo_code_redeem(
            code="twice", order_reference=f"G{n}", user_id=None, email="Guest@Example.com", amount=Decimal(1)
        )

    refusal = _refusal("twice", customer=Customer(email="GUEST@example.COM"))

    assert refusal.reason == RefusalReason.ALREADY_USED
    assert refusal.message == "You have already used TWICE 2 times, as often as it allows."
    assert Redemption.objects.filter(email="guest@example.com").count() == 2


def test_a_user_who_used_a_code_as_a_guest_is_recognised_by_email():
    user = UserFactory.create(email="ada@example.com")
    PromoCodeFactory.create(code="ONCE", per_customer_limit=1)
    services.promo_code_redeem(
        code="once", order_reference="G1", user_id=None, email="ADA@example.com", amount=Decimal(1)
    )

    refusal = _refusal("once", customer=Customer(user_id=user.pk, email=user.email))

    assert refusal.reason == RefusalReason.ALREADY_USED


def test_the_selectors_the_cart_asks_answer_for_codes_and_promotions():
    PromoCodeFactory.create(code="VIA")
    promotion = PromotionFactory.create(name="Summer", value=Decimal(20))

    assert promo_code_offer(code="via", context=PromoContext(now=NOW)).code == "VIA"
    assert [offer.key for offer in promotion_offers_active(now=NOW)] == [f"promotion:{promotion.pk}"]
    with pytest.raises(PromoRefused):
        promo_code_offer(code="nope", context=PromoContext(now=NOW))


# --- Automatic promotions ------------------------------------------------------------


def test_automatic_offers_are_the_running_promotions_with_their_scope():
    shoes = CategoryFactory.create()
    running = PromotionFactory.create(name="Week", value=Decimal(20), categories=[shoes])
    b3p2 = PromotionFactory.create(
        name="Three for two", kind=OfferKind.BUY_X_PAY_Y, value=0, buy_quantity=3, pay_quantity=2
    )
    PromotionFactory.create(starts_at=NOW + timedelta(hours=1))
    PromotionFactory.create(ends_at=NOW - timedelta(hours=1))
    PromotionFactory.create(is_active=False)

    offers = promotion_offers_active(now=NOW)

    assert offers == [
        Offer(
            key=f"promotion:{running.pk}",
            label="Week: 20% off",
            kind=OfferKind.PERCENT,
            value=Decimal("20.00"),
            category_ids=frozenset({shoes.pk}),
        ),
        Offer(
            key=f"promotion:{b3p2.pk}",
            label="Three for two: buy 3, pay for 2",
            kind=OfferKind.BUY_X_PAY_Y,
            value=Decimal("0.00"),
            buy_quantity=3,
            pay_quantity=2,
        ),
    ]


def test_automatic_offers_read_from_the_cache_without_a_query(django_assert_num_queries):
    PromotionFactory.create(categories=[CategoryFactory.create()], products=[ProductFactory.create()])
    PromotionFactory.create(brands=[BrandFactory.create()])

    with django_assert_num_queries(2):  # a miss: promotions, and their scopes in one UNION
        first = promotion_offers_active(now=NOW)
    with django_assert_num_queries(0):
        again = promotion_offers_active(now=NOW)

    assert again == first
    assert len(first) == 2


def test_cached_offers_follow_start_and_end_times_without_a_query(django_assert_num_queries):
    later = PromotionFactory.create(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=2))
    assert promotion_offers_active(now=NOW) == []

    with django_assert_num_queries(0):
        started = promotion_offers_active(now=NOW + timedelta(hours=1))
        ended = promotion_offers_active(now=NOW + timedelta(hours=2))

    assert [offer.key for offer in started] == [f"promotion:{later.pk}"]
    assert ended == []


def test_saving_or_deleting_a_promotion_replaces_the_cached_offers():
    promotion = PromotionFactory.create(value=Decimal(20))
    assert promotion_offers_active(now=NOW)[0].value == Decimal(20)

    promotion.value = Decimal(30)
    services.promotion_save(promotion=promotion)
    assert promotion_offers_active(now=NOW)[0].value == Decimal(30)

    services.promotions_delete(promotions=[promotion])
    assert promotion_offers_active(now=NOW) == []


def test_no_promotions_cost_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert promotion_offers_active(now=NOW) == []


def test_category_scope_keeps_the_selected_ids_only():
    """The cart matches lines by their categories and ancestors, so a
    promotion on a parent reaches products filed under its children."""
    parent = CategoryFactory.create()
    child = CategoryFactory.create(parent=parent)
    PromotionFactory.create(categories=[parent])

    (offer,) = promotion_offers_active(now=NOW)

    assert offer.category_ids == frozenset({parent.pk})
    assert Category.objects.get(pk=child.pk).path.startswith(Category.objects.get(pk=parent.pk).path)
