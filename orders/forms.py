"""The checkout's forms. They check what a form can (a valid email, the
fields a country needs are filled in as text); whether an address is right
for its country and whether we ship there is the service's answer
(``checkout_addresses_set``), which the view puts back on these forms."""

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.forms import AddressForm
from accounts.models import Address
from payments.forms import TestCardForm
from shipping.quotes import ShippingOption

# The address book's fields, without its label and default flags.
ADDRESS_FORM_FIELDS = (
    "country_code",
    "full_name",
    "company_name",
    "street_address_1",
    "street_address_2",
    "postal_code",
    "city",
    "city_area",
    "country_area",
    "phone",
)
NEW_ADDRESS = "new"


class ContactForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send the order confirmation here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class CheckoutAddressForm(forms.Form):
    """An address as the address book takes it: the same fields, labels,
    country list and autocomplete tokens (accounts' ``AddressForm``)."""

    def __init__(self, *args: Any, offer_save: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        book_fields = AddressForm().fields
        for name in ADDRESS_FORM_FIELDS:
            self.fields[name] = book_fields[name]
        if offer_save:
            self.fields["save_to_book"] = forms.BooleanField(
                label=_("Save this address to my address book"), required=False
            )

    def address(self) -> dict[str, str]:
        """The cleaned address as the checkout service takes it."""
        data = {name: self.cleaned_data.get(name) for name in ADDRESS_FORM_FIELDS}
        phone = data.pop("phone")
        return {
            **{name: str(value or "") for name, value in data.items()},
            "phone": phone.as_e164 if isinstance(phone, PhoneNumber) and phone.is_valid() else "",
        }

    def errors_from(self, errors: Mapping[str, str]) -> None:
        """Put the service's errors (our field names) on the fields."""
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)

    @staticmethod
    def initial_from(address: Mapping[str, str] | Address | None) -> dict[str, str]:
        if address is None:
            return {}
        if isinstance(address, Address):
            return {name: str(getattr(address, name) or "") for name in ADDRESS_FORM_FIELDS}
        return {name: address.get(name, "") for name in ADDRESS_FORM_FIELDS}


class AddressChoiceForm(forms.Form):
    """Where to ship (an address book entry or a new address) and whether
    the bill goes to the same address."""

    ship_to = forms.ChoiceField(label=_("Ship to"), widget=forms.RadioSelect, required=False)
    billing_same = forms.BooleanField(label=_("Billing address same as shipping address"), required=False)

    def __init__(self, *args: Any, book: Iterable[Address] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(address.pk), str(address)) for address in book]
        field = cast(forms.ChoiceField, self.fields["ship_to"])
        field.choices = [*choices, (NEW_ADDRESS, _("A new address"))]
        field.required = bool(choices)

    def errors_from(self, errors: Mapping[str, str]) -> None:
        """The service's errors about an address book entry: it needs
        editing in the book, or another address."""
        if errors:
            self.add_error(
                None,
                _(
                    "This address needs correcting (%(errors)s): "
                    "edit it in your address book or enter a new one."
                )
                % {"errors": " ".join(errors.values())},
            )


class CheckoutCardForm(TestCardForm):
    """The test gateway's card form, saying which order it pays: if the
    checkout changed since the page was shown, the shopper sees the new
    total before paying."""

    __test__ = False

    order = forms.CharField(widget=forms.HiddenInput)


class ShippingMethodForm(forms.Form):
    option = forms.ChoiceField(label=_("Shipping method"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, options: Iterable[ShippingOption] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["option"])
        field.choices = [(option.id, option.name) for option in options]
        field.error_messages["invalid_choice"] = _(
            "That shipping method is not available for this address any more. Please choose again."
        )


class TrackForm(forms.Form):
    """A guest's way back to an order: its number and the email it was placed with."""

    number = forms.CharField(
        label=_("Order number"),
        max_length=20,
        help_text=_("As in your confirmation email, e.g. 7KQ2-M9XP-A4DE."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
