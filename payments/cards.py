"""Card numbers, for the test gateway's form only: the Luhn check, the brand,
and Stripe's published test numbers with what each of them does.

Real card numbers never reach the shop: with Stripe, Stripe.js sends them
straight to Stripe. The test gateway takes a number in its own form, checks
it here, keeps its last four digits and forgets the rest.

>>> luhn_valid("4242 4242 4242 4242"), luhn_valid("4242424242424241")
(True, False)
>>> card_brand("4000002500003155"), card_brand("5555555555554444"), card_brand("378282246310005")
('visa', 'mastercard', 'amex')
>>> card_digits("4242-4242 4242 4242")
'4242424242424242'
"""

import re
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class TestCardOutcome(StrEnum):
    __test__ = False  # not a test class, whatever pytest guesses from the name

    SUCCEEDS = "succeeds"
    DECLINED = "declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    REQUIRES_AUTHENTICATION = "requires_authentication"


# Stripe's published test numbers (https://docs.stripe.com/testing), listed on
# the test gateway's form. Any other number that passes the Luhn check succeeds.
TEST_CARDS = {
    "4242424242424242": TestCardOutcome.SUCCEEDS,
    "4000000000000002": TestCardOutcome.DECLINED,
    "4000000000009995": TestCardOutcome.INSUFFICIENT_FUNDS,
    "4000002500003155": TestCardOutcome.REQUIRES_AUTHENTICATION,
}
TEST_CARD_LABELS = {
    TestCardOutcome.SUCCEEDS: _("succeeds"),
    TestCardOutcome.DECLINED: _("is declined"),
    TestCardOutcome.INSUFFICIENT_FUNDS: _("is declined: insufficient funds"),
    TestCardOutcome.REQUIRES_AUTHENTICATION: _("asks for an extra authentication step"),
}
# Stripe's own wording, so that the test gateway reads like the real one.
DECLINE_MESSAGES = {
    TestCardOutcome.DECLINED: _("Your card was declined."),
    TestCardOutcome.INSUFFICIENT_FUNDS: _("Your card has insufficient funds."),
}
AUTHENTICATION_FAILED_MESSAGE = _(
    "We are unable to authenticate your payment method. "
    "Please choose a different payment method and try again."
)

_SEPARATORS = re.compile(r"[ -]")


def card_digits(number: str) -> str:
    """The number without the spaces or dashes people type in groups."""
    return _SEPARATORS.sub("", number)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a 13-19 digit card number (separators allowed)."""
    digits = card_digits(digits)
    if not (digits.isascii() and digits.isdigit() and 13 <= len(digits) <= 19):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The brand by the number's first digits (display only)."""
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if digits[:2] in {"51", "52", "53", "54", "55"} or "2221" <= digits[:4] <= "2720":
        return "mastercard"
    if digits.startswith(("6011", "65")):
        return "discover"
    return "card"


def test_card_outcome(digits: str) -> TestCardOutcome:
    """What the test gateway does with this (Luhn-valid) number."""
    return TEST_CARDS.get(digits, TestCardOutcome.SUCCEEDS)


def card_errors(
    *, number: str, exp_month: int | None, exp_year: int | None, cvc: str, today: date
) -> dict[str, str]:
    """What is wrong with a typed card, by field (number, expiry, cvc); empty
    when it may be sent to the gateway.

    >>> today = date(2026, 1, 1)
    >>> card_errors(number="4242 4242 4242 4242", exp_month=12, exp_year=2030, cvc="123", today=today)
    {}
    >>> sorted(card_errors(number="4242", exp_month=12, exp_year=2025, cvc="1", today=today))
    ['cvc', 'expiry', 'number']
    """
    errors: dict[str, str] = {}
    digits = card_digits(number)
    if not luhn_valid(digits):
        errors["number"] = str(_("Enter a valid card number."))
    if exp_month is None or exp_year is None or not 1 <= exp_month <= 12 or exp_year < 100:
        errors["expiry"] = str(_("Enter the expiry date as MM/YY."))
    elif (exp_year, exp_month) < (today.year, today.month):
        errors["expiry"] = str(_("This card has expired."))
    length = 4 if card_brand(digits) == "amex" else 3
    if not (cvc.isascii() and cvc.isdigit() and len(cvc) == length):
        errors["cvc"] = str(_("Enter the %(length)d-digit security code from the card.") % {"length": length})
    return errors
