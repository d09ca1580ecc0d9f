"""Forms of the promotions admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from promotions.models import PromoCode
from promotions.selectors import code_normalise
from promotions.services import GENERATE_MAX


class PromoCodeAdminForm(forms.ModelForm[PromoCode]):
    """The code is compared and stored upper-case, so "summer10" and
    "SUMMER10" are the same code (the unique check sees it too)."""

    class Meta:
        model = PromoCode
        fields = (
            "code", "name", "kind", "value", "min_subtotal", "buy_quantity", "pay_quantity",
            "usage_limit", "per_customer_limit", "first_order_only", "stackable",
            "is_active", "starts_at", "ends_at", "categories", "brands", "products",
        )  # fmt: skip

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Give the code shoppers type."))
        return code


class CodeGenerateForm(forms.Form):
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=GENERATE_MAX, initial=100)
    code_prefix = forms.RegexField(
        label=_("Prefix"),
        regex=r"^[A-Za-z0-9-]*$",
        max_length=20,
        required=False,
        help_text=_("Optional, e.g. NEWS-. Letters, digits and dashes."),
        error_messages={"invalid": _("Use letters, digits and dashes only.")},
    )
    length = forms.IntegerField(
        label=_("Random characters"),
        min_value=6,
        max_value=32,
        initial=10,
        help_text=_("After the prefix; without look-alikes such as 0 and O."),
    )
