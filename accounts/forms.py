from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.addressing import AddressValidationError, address_normalize, country_choices
from accounts.models import Address, User


class ProfileForm(forms.Form):
    """The profile's own fields. Consent to marketing email is asked on the
    notification preferences page, confirmed by email (double opt-in)."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        help_text=_("A number from another country needs its country code, for example +44 20 7946 0000."),
    )

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {name: getattr(user, name) for name in cls.base_fields}


class AddressForm(forms.ModelForm[Address]):
    country_code = forms.ChoiceField(label=_("Country"))

    class Meta:
        model = Address
        # Country first: it decides which of the other fields are required.
        fields = (
            "country_code",
            "label",
            "full_name",
            "company_name",
            "street_address_1",
            "street_address_2",
            "postal_code",
            "city",
            "city_area",
            "country_area",
            "phone",
            "is_default_shipping",
            "is_default_billing",
        )
        labels = {
            "is_default_shipping": _("Use as my default shipping address"),
            "is_default_billing": _("Use as my default billing address"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = cast(forms.ChoiceField, self.fields["country_code"])
        country.choices = [("", _("Choose a country")), *country_choices()]
        autocomplete = {
            "full_name": "name",
            "company_name": "organization",
            "street_address_1": "address-line1",
            "street_address_2": "address-line2",
            "postal_code": "postal-code",
            "city": "address-level2",
            "country_area": "address-level1",
            "country_code": "country",
            "phone": "tel",
        }
        for name, token in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def validate_constraints(self) -> None:
        """Skip the one-default-per-user constraints (they name only ``user``):
        the services keep them by moving the flag, not by refusing the form."""
        exclude = self._get_validation_exclusions() | {"user"}  # type: ignore[attr-defined]
        try:
            self.instance.validate_constraints(exclude=exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned.update(address_normalize({k: str(v or "") for k, v in cleaned.items()}))
        except AddressValidationError as exc:
            for field, message in exc.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class AccountDeleteForm(forms.Form):
    """Deletion is confirmed with the password, or with the email address for
    accounts that only ever signed in through a social provider."""

    confirmation = forms.CharField(strip=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["confirmation"]
        if user.has_usable_password():
            field.label = _("Your password")
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        else:
            field.label = _("Your email address")
            field.widget = forms.EmailInput(attrs={"autocomplete": "email"})

    def clean_confirmation(self) -> str:
        value: str = self.cleaned_data["confirmation"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        elif value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not your email address."), code="wrong_email")
        return value
