"""Redeeming a code at order placement: checked again under the code's row
lock, recorded once per order, given back when the order is cancelled."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from promotions.models import PromoCode, Redemption
from promotions.services import promo_code_redeem, promo_code_redemption_cancel
from promotions.values import PromoRefused, RefusalReason
from tests.factories import UserFactory
from tests.promotions.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def _redeem(code: str = "SUMMER", order: str = "A1", **kwargs: object) -> Redemption:
    arguments: dict[str, object] = {"user_id": None, "email": "guest@example.com", "amount": Decimal("4.50")}
    arguments.update(kwargs)
    return promo_code_redeem(code=code, order_reference=order, **arguments)  # type: ignore[arg-type]


def test_a_redemption_is_recorded_and_counted():
    user = UserFactory.create(email="ada@example.com")
    code = PromoCodeFactory.create(code="SUMMER")

    redemption = _redeem("summer", user_id=user.pk, email="Ada@Example.com")

    code.refresh_from_db()
    assert code.times_used == 1
    assert (redemption.code_id, redemption.order_reference, redemption.user_id) == (code.pk, "A1", user.pk)
    assert (redemption.email, redemption.amount) == ("ada@example.com", Decimal("4.50"))


def test_redeeming_again_for_the_same_order_returns_the_first_redemption():
    code = PromoCodeFactory.create(code="SUMMER", usage_limit=1)
    first = _redeem()

    again = _redeem(amount=Decimal("9.99"))

    code.refresh_from_db()
    assert again.pk == first.pk
    assert code.times_used == 1
    assert Redemption.objects.count() == 1


def test_the_database_refuses_a_second_redemption_for_one_order():
    code = PromoCodeFactory.create(code="SUMMER")
    _redeem()

    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.create(code=code, order_reference="A1", amount=1)


def test_the_database_refuses_more_uses_than_the_limit():
    code = PromoCodeFactory.create(code="SUMMER", usage_limit=1)
    _redeem()

    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCode.objects.filter(pk=code.pk).update(times_used=2)


@pytest.mark.parametrize(
    ("rules", "kwargs", "reason"),
    [
        ({"usage_limit": 1}, {}, RefusalReason.LIMIT_REACHED),
        ({"per_customer_limit": 1}, {"email": "GUEST@example.com"}, RefusalReason.ALREADY_USED),
    ],
)
def test_redemption_checks_the_limits_again(rules, kwargs, reason):
    PromoCodeFactory.create(code="SUMMER", **rules)
    _redeem(order="A1")

    with pytest.raises(PromoRefused) as caught:
        _redeem(order="A2", **kwargs)

    assert caught.value.reason == reason
    assert Redemption.objects.count() == 1


def test_redemption_checks_validity_and_the_first_order_rule():
    PromoCodeFactory.create(code="WINDOW", starts_at=NOW, ends_at=NOW + timedelta(days=1))
    PromoCodeFactory.create(code="FIRST", first_order_only=True)

    with pytest.raises(PromoRefused) as early:
        _redeem("window", now=NOW - timedelta(minutes=1))
    with pytest.raises(PromoRefused) as late:
        _redeem("window", now=NOW + timedelta(days=1))
    with pytest.raises(PromoRefused) as second_order:
        _redeem("first", order_count=1)
    with pytest.raises(PromoRefused) as unknown:
        _redeem("nope")

    assert early.value.reason == RefusalReason.NOT_YET_VALID
    assert late.value.reason == RefusalReason.EXPIRED
    assert second_order.value.reason == RefusalReason.FIRST_ORDER_ONLY
    assert (unknown.value.reason, unknown.value.message) == (
        RefusalReason.UNKNOWN,
        "We don't know the code NOPE.",
    )
    assert _redeem("window", now=NOW).order_reference == "A1"
    assert _redeem("first", order="A2", order_count=0).order_reference == "A2"


def test_cancelling_an_order_gives_its_use_back():
    code = PromoCodeFactory.create(code="SUMMER", usage_limit=1)
    other = PromoCodeFactory.create(code="OTHER", stackable=True)
    code.stackable = True
    _redeem("summer", order="A1")
    _redeem("other", order="A1")

    freed = promo_code_redemption_cancel(order_reference="A1")

    code.refresh_from_db()
    other.refresh_from_db()
    assert freed == 2
    assert (code.times_used, other.times_used) == (0, 0)
    assert not Redemption.objects.exists()
    assert _redeem("summer", order="B1").order_reference == "B1"


def test_cancelling_an_order_without_codes_changes_nothing():
    code = PromoCodeFactory.create(code="SUMMER")
    _redeem(order="A1")

    assert promo_code_redemption_cancel(order_reference="ZZZ") == 0

    code.refresh_from_db()
    assert code.times_used == 1
