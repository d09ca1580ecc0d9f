"""The test gateway: Stripe's published test numbers, the card form, starting
a payment once per order, capture and cancel, and the listeners orders use."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import render_to_string

from orders.lifecycle import payment as order_payment
from orders.lifecycle.payment import order_payment_sync
from payments.errors import PaymentError
from payments.forms import TestAuthenticateForm, TestCardForm
from payments.models import Payment
from payments.services import (
    payment_cancel,
    payment_capture,
    payment_start,
    payment_sync,
    payment_test_authenticate,
    payment_test_card_submit,
)
from tests.payments.helpers import order_reference, orders_hear, pay, pay_order, start

pytestmark = pytest.mark.django_db

Status = Payment.Status


def test_4242_captures_the_whole_amount_and_keeps_only_the_last_four_digits():
    payment = pay(start(amount="19.99"), "4242 4242 4242 4242")

    payment.refresh_from_db()
    assert (payment.status, payment.captured_amount) == (Status.CAPTURED, Decimal("19.99"))
    assert (payment.card_brand, payment.card_last4, payment.failure_message) == ("visa", "4242", "")
    assert payment.gateway == "test"
    assert payment.gateway_reference.startswith("tpi_")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000 0000 0000 0002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
    ],
)
def test_a_declined_card_leaves_the_payment_failed_with_the_reason_and_another_card_can_pay(number, message):
    payment = pay(start(), number)

    assert (payment.status, payment.failure_message, payment.captured_amount) == (
        Status.FAILED,
        message,
        Decimal("0.00"),
    )
    assert payment.card_last4 == number[-4:]

    payment = pay(payment, "4242424242424242")

    assert (payment.status, payment.failure_message, payment.card_last4) == (Status.CAPTURED, "", "4242")
    assert Payment.objects.count() == 1


def test_3155_asks_for_authentication_and_captures_once_approved():
    payment = pay(start(), "4000 0025 0000 3155")
    assert (payment.status, payment.card_last4) == (Status.REQUIRES_ACTION, "3155")

    payment = payment_test_authenticate(payment=payment, approve=True)

    assert (payment.status, payment.captured_amount) == (Status.CAPTURED, Decimal("20.00"))
    # A second click on "Complete" changes nothing.
    assert payment_test_authenticate(payment=payment, approve=True).status == Status.CAPTURED


def test_3155_failing_authentication_fails_the_payment_with_a_message():
    payment = pay(start(), "4000002500003155")

    payment = payment_test_authenticate(payment=payment, approve=False)

    assert payment.status == Status.FAILED
    assert "unable to authenticate" in payment.failure_message
    with pytest.raises(PaymentError, match="not waiting for authentication"):
        payment_test_authenticate(payment=payment, approve=True)


def test_any_other_number_passing_the_luhn_check_succeeds():
    payment = pay(start(), "5555 5555 5555 4444")

    assert (payment.status, payment.card_brand, payment.card_last4) == (Status.CAPTURED, "mastercard", "4444")


@pytest.mark.parametrize(
    ("number", "exp_month", "exp_year", "cvc", "field"),
    [
        ("4242 4242 4242 4241", 12, 2040, "123", "number"),
        ("4242", 12, 2040, "123", "number"),
        ("4242424242424242", 13, 2040, "123", "expiry"),
        ("4242424242424242", 1, 2020, "123", "expiry"),
        ("4242424242424242", 12, 2040, "12", "cvc"),
        ("4242424242424242", 12, 2040, "12a", "cvc"),
        ("378282246310005", 12, 2040, "123", "cvc"),  # American Express has 4 digits
    ],
)
def test_a_bad_card_is_a_validation_error_and_never_reaches_the_gateway(
    number, exp_month, exp_year, cvc, field
):
    payment = start()

    with pytest.raises(ValidationError) as error:
        payment_test_card_submit(
            payment=payment, number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc
        )

    assert set(error.value.message_dict) == {field}
    payment.refresh_from_db()
    assert (payment.status, payment.card_last4) == (Status.PENDING, "")


def _form(**data: str) -> TestCardForm:
    query = QueryDict(mutable=True)
    query.update({"number": "4242 4242 4242 4242", "expiry": "12/40", "cvc": "123", **data})
    return TestCardForm(data=query)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"number": "4242 4242 4242 4243"}, "number", "Enter a valid card number."),
        ({"expiry": "1/2"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"expiry": "13/40"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"expiry": "01/20"}, "expiry", "This card has expired."),
        ({"cvc": "1"}, "cvc", "Enter the 3-digit security code from the card."),
        (
            {"number": "3782 822463 10005", "cvc": "123"},
            "cvc",
            "Enter the 4-digit security code from the card.",
        ),
    ],
)
def test_the_card_form_names_what_is_wrong(data, field, message):
    form = _form(**data)

    assert not form.is_valid()
    assert form.errors == {field: [message]}


def test_the_card_form_pays_then_forgets_the_number_and_cvc_and_never_renders_them():
    payment = start()
    form = _form(expiry="12 / 2040")
    assert form.is_valid()

    card = form.card_take()
    paid = payment_test_card_submit(
        payment=payment, number=card.number, exp_month=card.exp_month, exp_year=card.exp_year, cvc=card.cvc
    )

    assert paid.status == Status.CAPTURED
    assert "number" not in form.cleaned_data
    assert "cvc" not in form.cleaned_data
    assert "number" not in form.data
    assert "cvc" not in form.data
    html = render_to_string(
        "payments/test_card_form.html", {"form": _form(), "payment": paid, "action": "/pay/"}
    )
    assert "4242 4242 4242 4242" in html  # the published test number, listed
    assert 'value="4242' not in html  # never put back in the input


def test_the_card_form_partial_is_marked_as_test_mode_and_lists_the_test_numbers():
    payment = pay(start(amount="12.50"), "4000000000000002")

    html = render_to_string("payments/test_card_form.html", {"form": TestCardForm(), "payment": payment})

    assert "TEST MODE — no real payment" in html
    for number, outcome in [
        ("4242 4242 4242 4242", "succeeds"),
        ("4000 0000 0000 0002", "is declined"),
        ("4000 0000 0000 9995", "insufficient funds"),
        ("4000 0025 0000 3155", "extra authentication step"),
    ]:
        assert number in html
        assert outcome in html
    assert "Your card was declined. Nothing was charged. Please try another card." in html
    assert "Pay EUR 12.50" in html
    assert 'autocomplete="cc-number"' in html


def test_the_authentication_form_reads_the_button_pressed():
    payment = pay(start(), "4000002500003155")
    form = TestAuthenticateForm(data={"approve": "0"})
    assert form.is_valid()

    authenticated = payment_test_authenticate(payment=payment, approve=form.cleaned_data["approve"])
    assert authenticated.status == Status.FAILED
    html = render_to_string("payments/test_authenticate.html", {"payment": payment, "action": "/auth/"})
    assert "card ending 3155" in html
    assert "TEST MODE" in html


# --- Starting a payment ---------------------------------------------------------------


def test_starting_twice_for_the_same_order_gives_the_same_payment():
    reference = order_reference()
    first = start(reference=reference)

    again = start(reference=reference, email="new@example.com")

    assert again.pk == first.pk
    assert again.gateway_reference == first.gateway_reference
    assert Payment.objects.get().email == "new@example.com"


def test_a_new_amount_cancels_the_unpaid_payment_and_starts_a_new_attempt():
    reference = order_reference()
    first = pay(start(reference=reference, amount="20.00"), "4000000000000002")

    second = start(reference=reference, amount="25.00")

    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert (second.attempt, second.amount, second.status) == (2, Decimal("25.00"), Status.PENDING)
    assert second.gateway_reference != first.gateway_reference


def test_a_paid_order_cannot_change_its_amount():
    reference = order_reference()
    pay(start(reference=reference, amount="20.00"))

    with pytest.raises(PaymentError, match="already paid"):
        start(reference=reference, amount="21.00")
    assert start(reference=reference, amount="20.00").status == Status.CAPTURED


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (Decimal("0"), "EUR", "must be more than zero"),
        (Decimal("-1"), "EUR", "must be more than zero"),
        (Decimal("1.005"), "EUR", "more than two decimals"),
        (Decimal("1.00"), "EURO", "not a currency code"),
    ],
)
def test_starting_refuses_a_bad_amount_or_currency(amount, currency, message):
    with pytest.raises(PaymentError, match=message):
        payment_start(order_reference="ORD-X", amount=amount, currency=currency, email="")
    assert not Payment.objects.exists()


def test_a_paid_payment_ignores_a_second_card():
    payment = pay(start())

    again = pay(payment, "4000000000000002")

    assert (again.status, again.card_last4) == (Status.CAPTURED, "4242")


def test_sync_of_a_test_payment_changes_nothing():
    payment = pay(start())

    assert payment_sync(payment=payment).status == Status.CAPTURED


# --- Authorise now, capture at shipment ---------------------------------------------------


def test_manual_capture_authorises_then_captures_at_shipment(settings):
    settings.PAYMENT_CAPTURE = "manual"
    payment = pay(start(amount="30.00"))
    assert (payment.status, payment.captured_amount) == (Status.AUTHORIZED, Decimal("0.00"))

    with pytest.raises(PaymentError, match=r"At most EUR 30\.00 can be captured"):
        payment_capture(payment=payment, amount=Decimal("30.01"))
    payment = payment_capture(payment=payment, amount=Decimal("25.00"))

    assert (payment.status, payment.captured_amount) == (Status.CAPTURED, Decimal("25.00"))
    # A second click changes nothing.
    assert payment_capture(payment=payment).captured_amount == Decimal("25.00")


def test_capture_needs_an_authorised_payment():
    with pytest.raises(PaymentError, match="Only an authorised payment can be captured"):
        payment_capture(payment=start())


def test_cancel_releases_an_authorisation_but_not_a_captured_payment(settings):
    settings.PAYMENT_CAPTURE = "manual"
    authorised = pay(start())

    assert payment_cancel(payment=authorised).status == Status.CANCELLED
    assert payment_cancel(payment=authorised).status == Status.CANCELLED
    with pytest.raises(PaymentError, match="cancelled"):
        pay(authorised)

    settings.PAYMENT_CAPTURE = "automatic"
    with pytest.raises(PaymentError, match="refund it instead"):
        payment_cancel(payment=pay(start()))


# --- What the order hears ------------------------------------------------------------


@pytest.fixture
def heard(monkeypatch):
    calls: list[tuple[str, str]] = []
    orders_hear(monkeypatch, lambda payment: calls.append((payment.order_reference, payment.status)))
    return calls


def test_the_order_hears_each_outcome_once_inside_the_payments_transaction(heard):
    payment = start()
    assert heard == []  # pending is no outcome

    pay_order(payment, "4000000000000002")
    assert heard == [(payment.order_reference, Status.FAILED)]  # at once, not after commit
    pay_order(payment)
    pay_order(payment)  # a double click
    order_payment_sync(payment=payment)

    assert heard == [(payment.order_reference, Status.FAILED), (payment.order_reference, Status.CAPTURED)]


def test_a_failing_reaction_undoes_the_payments_record_so_the_outcome_is_heard_again(heard, monkeypatch):
    """The order moves in the payment's transaction: a reaction that fails
    leaves the payment as it was (the gateway's word comes again by webhook
    or sync), never captured with its order unpaid."""

    def broken(*, number: str, payment: Payment) -> None:
        raise RuntimeError("orders is down")

    payment = start()
    with monkeypatch.context() as patch:
        patch.setattr(order_payment, "order_mark_paid", broken)
        with pytest.raises(RuntimeError, match="orders is down"):
            pay_order(payment)

    payment.refresh_from_db()
    assert payment.status == Status.PENDING
    pay_order(payment)
    payment.refresh_from_db()
    assert payment.status == Status.CAPTURED
