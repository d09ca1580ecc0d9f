"""The cart's forms: what a shopper may post. Only ids, quantities and codes;
a price in the post is no field here, so it is never read (prices come from
the catalog). The stock and per-order limits are the services' to check,
since they depend on what is already in the cart."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Ids beyond a 64-bit integer cannot exist; refusing them here keeps them
# out of the database's integer comparisons.
_ID_MAX = 2**63 - 1


class QuantityField(forms.IntegerField):
    default_error_messages = {
        "required": _("Enter a quantity."),
        "invalid": _("Enter the quantity as a whole number, like 2."),
        "min_value": _("The quantity must be at least %(limit_value)s."),
        "max_value": _("Enter a smaller quantity."),
    }

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Quantity"))
        super().__init__(min_value=1, max_value=_ID_MAX, **kwargs)  # type: ignore[arg-type]


class CartAddForm(forms.Form):
    variant = forms.IntegerField(
        min_value=1,
        max_value=_ID_MAX,
        error_messages={
            "required": _("Choose a product to add."),
            "invalid": _("This product does not exist."),
            "min_value": _("This product does not exist."),
            "max_value": _("This product does not exist."),
        },
    )
    quantity = QuantityField()
    # Where the shopper came from (the product page); checked before use.
    next = forms.CharField(required=False, max_length=2000)


class CartLineUpdateForm(forms.Form):
    quantity = QuantityField()


class PromoCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Promo code"),
        max_length=64,
        error_messages={"required": _("Enter a promo code."), "max_length": _("This code does not exist.")},
    )


def form_error_message(form: forms.Form) -> str:
    """The form's errors as one sentence for a flash message or a JSON reply."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
