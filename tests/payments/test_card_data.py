"""No card number or CVC is kept: after payments with every test card (test
gateway) and through Stripe (localstripe), a Luhn scan of every column of
every table and of the logs (captured at DEBUG) finds no card number."""

import logging
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict

from payments.forms import TestCardForm
from payments.gateways.base import CardDetails
from payments.models import WebhookEvent
from payments.services import (
    payment_refund,
    payment_sync,
    payment_test_authenticate,
    payment_test_card_submit,
)
from tests.payments.helpers import browser_pays, intent_event, pay, signed_post, start

pytestmark = pytest.mark.django_db

# 13 to 19 digits, in groups separated by single spaces or dashes as people
# type them, not inside a longer run of digits.
CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def card_numbers_in(text: str) -> list[str]:
    found = []
    for match in CARD_LIKE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            found.append(digits)
    return found


def card_numbers_in_database() -> list[tuple[str, str]]:
    """Every value of every column of every table, as text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # The table names come from the database itself, quoted.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    text = (
                        bytes(value).decode("latin-1")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    found += [(table, number) for number in card_numbers_in(text)]
    return found


def test_the_scan_finds_a_card_number_where_there_is_one(caplog):
    WebhookEvent.objects.create(
        gateway="test", event_id="evt_leak", type="x", payload={"card": "4000-0566-5566-5556"}
    )
    logging.getLogger("shop.leak").warning("paid with 5555 5555 5555 4444")

    assert card_numbers_in_database() == [("payments_webhookevent", "4000056655665556")]
    assert card_numbers_in(caplog.text) == ["5555555555554444"]
    assert card_numbers_in("order 2026-11-25 12:00, total 1999, ids 4242424242424241 and 1795569724") == []


def test_no_card_number_is_kept_after_test_gateway_payments(client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    for number in ("4242 4242 4242 4242", "4000000000000002", "4000 0000 0000 9995", "5555-5555-5555-4444"):
        payment = pay(start(), number)
    authenticated = pay(start(), "4000002500003155")
    payment_test_authenticate(payment=authenticated, approve=True)
    payment_refund(payment=authenticated, amount=Decimal("5.00"), reason="Returned", key="k1")
    form = TestCardForm(data=QueryDict("number=4242+4242+4242+4241&expiry=12%2F40&cvc=123"))
    assert not form.is_valid()
    form = TestCardForm(data=QueryDict("number=4242424242424242&expiry=12%2F40&cvc=987"))
    assert form.is_valid()
    card = form.card_take()
    payment_test_card_submit(
        payment=start(), number=card.number, exp_month=card.exp_month, exp_year=card.exp_year, cvc=card.cvc
    )
    signed_post(client, intent_event("payment_intent.succeeded", payment, status="succeeded"))
    logging.getLogger("payments").debug(
        "card %r", CardDetails(number="4242424242424242", exp_month=1, exp_year=2040, cvc="123")
    )

    assert card_numbers_in_database() == []
    assert card_numbers_in(caplog.text) == []
    assert "987" not in caplog.text


@pytest.mark.localstripe
def test_no_card_number_is_kept_after_stripe_payments(localstripe, caplog):
    caplog.set_level(logging.DEBUG)
    payment = start(amount="30.00")
    browser_pays(localstripe, payment, "4242424242424242")
    payment = payment_sync(payment=payment)
    payment_refund(payment=payment, amount=Decimal("30.00"), key="full")
    declined = start()
    browser_pays(localstripe, declined, "4000000000000341")
    payment_sync(payment=declined)

    assert payment.card_last4 == "4242"
    assert card_numbers_in_database() == []
    assert card_numbers_in(caplog.text) == []
