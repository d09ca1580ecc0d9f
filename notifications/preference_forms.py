"""The preferences page's form: one box per group a person may choose and
channel. Transactional groups have no field: nothing posted can switch them off."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.kinds import Group
from notifications.models import Channel
from notifications.preferences import DEFAULTS

GROUP_LABELS = {
    Group.ACCOUNT: _("Your account and security"),
    Group.ORDERS: _("Order updates"),
    Group.MARKETING: _("News and offers"),
    Group.WISHLIST: _("Wishlist alerts"),
    Group.REVIEWS: _("Review requests"),
}
GROUP_HELP = {
    Group.ACCOUNT: _(
        "Sign-in codes, password and address changes, what happens to your reviews. Always sent."
    ),
    Group.ORDERS: _("Confirmations, payment, shipping, delivery, returns and refunds. Always sent."),
    Group.MARKETING: _(
        "New products and offers, a few times a month. We ask you to confirm by email before the first one."
    ),
    Group.WISHLIST: _("When something on your wishlist is back in stock or cheaper."),
    Group.REVIEWS: _("After a delivery, one message asking how you like what you bought."),
}
CHANNEL_LABELS = {Channel.EMAIL: _("By email"), Channel.SITE: _("In the site")}


def field_name(group: str, channel: str) -> str:
    return f"{group}_{channel}"


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group, channel in DEFAULTS:
            self.fields[field_name(group, channel)] = forms.BooleanField(
                label=CHANNEL_LABELS[Channel(channel)], required=False
            )

    def choices(self) -> dict[tuple[str, str], bool]:
        return {choice: self.cleaned_data[field_name(*choice)] for choice in DEFAULTS}


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))
