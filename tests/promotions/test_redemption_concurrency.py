"""Usage limits under real concurrent checkouts on PostgreSQL: threads, each
with its own connection, released together by a barrier, each redeeming in
its own transaction as order placement would."""

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest

from promotions.models import PromoCode, Redemption
from promotions.services import promo_code_redeem
from promotions.values import PromoRefused
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from tests.promotions.factories import PromoCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_in_threads(count: int, work: Callable[[int], str]) -> Counter[str]:
    """A refusal counts as its reason, anything else raised as its class."""
    return run_in_threads(
        count, work, outcome_of=lambda e: e.reason if isinstance(e, PromoRefused) else type(e).__name__
    )


def test_fifty_checkouts_with_a_code_limited_to_ten_uses_redeem_exactly_ten():
    code = PromoCodeFactory.create(code="TEN", usage_limit=10)

    def checkout(n: int) -> str:
        promo_code_redeem(
            code="ten", order_reference=f"ORD-{n}", user_id=None, email=f"c{n}@example.com", amount=Decimal(5)
        )
        return "redeemed"

    outcomes = _run_in_threads(50, checkout)

    assert outcomes == Counter({"redeemed": 10, "limit_reached": 40})
    code.refresh_from_db()
    assert code.times_used == 10
    assert Redemption.objects.filter(code=code).count() == 10


def test_ten_checkouts_of_one_customer_with_a_once_per_customer_code_redeem_once():
    user = UserFactory.create()
    code = PromoCodeFactory.create(code="ONCE", per_customer_limit=1)

    def checkout(n: int) -> str:
        promo_code_redeem(
            code="once", order_reference=f"ORD-{n}", user_id=user.pk, email=user.email, amount=Decimal(5)
        )
        return "redeemed"

    outcomes = _run_in_threads(10, checkout)

    assert outcomes == Counter({"redeemed": 1, "already_used": 9})
    assert PromoCode.objects.get(pk=code.pk).times_used == 1
    assert Redemption.objects.filter(code=code, user=user).count() == 1


def test_retries_of_one_order_placed_concurrently_redeem_once():
    code = PromoCodeFactory.create(code="RETRY", usage_limit=5)

    def place(n: int) -> str:
        redemption = promo_code_redeem(
            code="retry", order_reference="ORD-1", user_id=None, email="a@example.com", amount=Decimal(5)
        )
        return f"redemption {redemption.pk}"

    outcomes = _run_in_threads(8, place)

    (redemption,) = Redemption.objects.filter(code=code)
    assert outcomes == Counter({f"redemption {redemption.pk}": 8})
    assert PromoCode.objects.get(pk=code.pk).times_used == 1
