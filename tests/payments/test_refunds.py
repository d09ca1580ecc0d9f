"""Refunds: full, partial, over the limit, of nothing captured, and twice with
the same key; the refunded total never exceeds the captured total."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from payments.errors import PaymentError
from payments.models import Payment, Refund
from payments.services import payment_capture, payment_refund
from tests.payments.helpers import captured, pay, start

pytestmark = pytest.mark.django_db

Status = Payment.Status


def test_a_full_refund_refunds_everything_captured():
    payment = captured(amount="100.00")

    refund = payment_refund(payment=payment, amount=Decimal("100.00"), reason="Returned", key="ret-1")

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.REFUNDED, Decimal("100.00"))
    assert (refund.amount, refund.status, refund.reason) == (
        Decimal("100.00"),
        Refund.Status.SUCCEEDED,
        "Returned",
    )
    assert refund.gateway_reference.startswith("tre_")


def test_partial_refunds_add_up_to_the_captured_total_and_no_further():
    payment = captured(amount="100.00")

    payment_refund(payment=payment, amount=Decimal("30.00"), key="r-1")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.PARTIALLY_REFUNDED, Decimal("30.00"))

    with pytest.raises(PaymentError, match=r"At most EUR 70\.00 can still be refunded\."):
        payment_refund(payment=payment, amount=Decimal("70.01"), key="r-2")
    payment_refund(payment=payment, amount=Decimal("70.00"), key="r-3")

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.REFUNDED, Decimal("100.00"))
    with pytest.raises(PaymentError, match=r"At most EUR 0\.00 can still be refunded\."):
        payment_refund(payment=payment, amount=Decimal("0.01"), key="r-4")
    assert list(Refund.objects.order_by("pk").values_list("amount", flat=True)) == [
        Decimal("30.00"),
        Decimal("70.00"),
    ]


def test_an_over_the_limit_refund_changes_nothing():
    payment = captured(amount="10.00")

    with pytest.raises(PaymentError, match=r"At most EUR 10\.00"):
        payment_refund(payment=payment, amount=Decimal("10.50"), key="big")

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.CAPTURED, Decimal("0.00"))
    assert not Refund.objects.exists()


def test_the_same_key_twice_is_one_refund():
    payment = captured(amount="50.00")

    first = payment_refund(payment=payment, amount=Decimal("20.00"), key="click")
    second = payment_refund(payment=payment, amount=Decimal("20.00"), key="click")

    assert first.pk == second.pk
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("20.00")


def test_a_key_used_for_another_payment_is_refused():
    payment_refund(payment=captured(), amount=Decimal("1.00"), key="shared")

    with pytest.raises(PaymentError, match="another payment"):
        payment_refund(payment=captured(), amount=Decimal("1.00"), key="shared")


def test_nothing_captured_means_nothing_to_refund(settings):
    with pytest.raises(PaymentError, match="Nothing was captured"):
        payment_refund(payment=start(), amount=Decimal("1.00"), key="a")
    with pytest.raises(PaymentError, match="Nothing was captured"):
        payment_refund(payment=pay(start(), "4000000000000002"), amount=Decimal("1.00"), key="b")
    settings.PAYMENT_CAPTURE = "manual"
    with pytest.raises(PaymentError, match="Nothing was captured"):
        payment_refund(payment=pay(start()), amount=Decimal("1.00"), key="c")
    assert not Refund.objects.exists()


def test_only_the_captured_part_of_an_authorisation_can_be_refunded(settings):
    settings.PAYMENT_CAPTURE = "manual"
    payment = payment_capture(payment=pay(start(amount="80.00")), amount=Decimal("60.00"))

    with pytest.raises(PaymentError, match=r"At most EUR 60\.00"):
        payment_refund(payment=payment, amount=Decimal("80.00"), key="x")
    payment_refund(payment=payment, amount=Decimal("60.00"), key="y")

    payment.refresh_from_db()
    assert (payment.status, payment.captured_amount, payment.refunded_amount) == (
        Status.REFUNDED,
        Decimal("60.00"),
        Decimal("60.00"),
    )


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("1.001")])
def test_a_refund_needs_a_positive_amount_in_cents(amount):
    with pytest.raises(PaymentError, match="refund amount"):
        payment_refund(payment=captured(), amount=amount, key="k")


def test_a_refund_needs_a_key():
    with pytest.raises(PaymentError, match="idempotency key"):
        payment_refund(payment=captured(), amount=Decimal("1.00"), key="")


def test_the_database_refuses_more_refunded_than_captured():
    payment = captured(amount="10.00")

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=Decimal("10.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(captured_amount=Decimal("10.01"))
