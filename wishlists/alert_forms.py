"""The back-in-stock form of the product page: a variant's id, a guest's
address, and the page to go back to (checked before use)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Variant

# Ids beyond a 64-bit integer cannot exist; refusing them here keeps them
# out of the database's integer comparisons.
ID_MAX = 2**63 - 1


class StockAlertForm(forms.Form):
    variant = forms.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the size or colour you are waiting for."),
            "invalid": _("This product does not exist."),
            "min_value": _("This product does not exist."),
            "max_value": _("This product does not exist."),
        },
    )
    email = forms.EmailField(
        label=_("Your email"),
        required=False,
        max_length=254,
        error_messages={
            "required": _("Enter your email address, so that we can tell you."),
            "invalid": _("Enter an email address like name@example.com."),
            "max_length": _("This email address is too long."),
        },
    )
    # Where the shopper came from (the product page).
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, email_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if email_required:
            self.fields["email"].required = True
        else:
            del self.fields["email"]  # an account's alert goes to the account's address
        self.variant_found: Variant | None = None

    def clean_variant(self) -> Variant:
        variant = (
            Variant.objects.select_related("product")
            .prefetch_related("option_values")
            .filter(pk=self.cleaned_data["variant"])
            .first()
        )
        if variant is None:
            raise forms.ValidationError(_("This product does not exist."), code="unknown")
        self.variant_found = variant
        return variant
