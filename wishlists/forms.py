from django import forms
from django.utils.translation import gettext_lazy as _

from wishlists.models import NAME_MAX
from wishlists.services import QUANTITY_MAX


class HeartForm(forms.Form):
    product = forms.IntegerField(min_value=1)
    variant = forms.IntegerField(min_value=1, required=False)


class ListNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)


class ItemForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX)


class MoveForm(forms.Form):
    to = forms.IntegerField(label=_("Move to"), min_value=1)
