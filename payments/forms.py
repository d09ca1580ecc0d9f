"""The test gateway's card form.

Card data is handled as little as possible: the number and CVC are never
rendered back into the page (a form shown again with an error asks for them
afresh), and ``TestCardForm.card_take`` hands them over once and forgets them. The
view that takes this form must be decorated with
``@sensitive_post_parameters(*CARD_POST_FIELDS)`` so that an error report
never shows them, and must not log ``request.POST``.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.cards import card_digits, card_errors
from payments.gateways.base import CardDetails
from payments.selectors import published_test_cards

CARD_POST_FIELDS = ("number", "cvc")
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*$")


class CardInput(forms.TextInput):
    """A text input that never renders its value, like a password field."""

    def format_value(self, value: Any) -> str | None:
        return None


class TestCardForm(forms.Form):
    __test__ = False  # not a test class, whatever pytest guesses from the name

    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=CardInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric", "spellcheck": "false"}),
    )
    expiry = forms.CharField(
        label=_("Expiry date"),
        max_length=9,
        help_text=_("MM/YY"),
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "MM/YY"}
        ),
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=CardInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    def test_cards(self) -> list[tuple[str, str]]:
        return published_test_cards()

    def clean_expiry(self) -> tuple[int, int]:
        match = _EXPIRY.match(self.cleaned_data["expiry"])
        if not match:
            raise ValidationError(_("Enter the expiry date as MM/YY."), code="invalid")
        month, year = int(match[1]), int(match[2])
        return month, year + 2000 if year < 100 else year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if {"number", "expiry", "cvc"} <= cleaned.keys():
            month, year = cleaned["expiry"]
            errors = card_errors(
                number=cleaned["number"],
                exp_month=month,
                exp_year=year,
                cvc=cleaned["cvc"],
                today=timezone.localdate(),
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned

    def card_take(self) -> CardDetails:
        """The (valid) card, handed over once: the form forgets it."""
        try:
            month, year = self.cleaned_data["expiry"]
            return CardDetails(
                number=card_digits(self.cleaned_data["number"]),
                exp_month=month,
                exp_year=year,
                cvc=self.cleaned_data["cvc"],
            )
        finally:
            self.forget_card()

    def forget_card(self) -> None:
        for name in CARD_POST_FIELDS:
            self.cleaned_data.pop(name, None)
        if hasattr(self.data, "copy"):
            data = self.data.copy()
            for name in CARD_POST_FIELDS:
                data.pop(self.add_prefix(name), None)
            self.data = data


class TestAuthenticateForm(forms.Form):
    """The extra authentication step of the test card ...3155: two buttons,
    ``approve`` 1 or 0."""

    __test__ = False

    approve = forms.TypedChoiceField(
        choices=(("1", _("Complete authentication")), ("0", _("Fail authentication"))),
        coerce=lambda value: value == "1",
    )
