"""The catalogue of every message the shop sends: one ``Kind`` per occasion.

A kind says who it is for (``group``: account and order messages are
transactional and cannot be switched off; marketing is opt-in), its subject,
its templates (``<template>.txt`` and ``<template>.html`` in the shop's
branded layout, ``notifications/email/base``), the in-site notice it leaves
(``site_title``; empty for email only) and a sample context, from which staff
preview it in the admin. Subjects, titles and ``texts`` are lazy
translations with ``%(name)s`` placeholders filled from the caller's
``params`` (and ``shop``, the shop's name).

allauth's account emails are kinds too (``allauth=True``): their template is
allauth's prefix, rendered as allauth would, in the shop's layout.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Group(StrEnum):
    ACCOUNT = "account"  # security and sign-in: always sent
    ORDERS = "orders"  # about a purchase: always sent
    STAFF = "staff"  # to the shop's staff
    MARKETING = "marketing"  # opt-in, with one-click unsubscribe
    WISHLIST = "wishlist"  # alerts a person asked for
    REVIEWS = "reviews"  # asking how a delivered product is: on until switched off


@dataclass(frozen=True)
class Kind:
    name: str
    group: Group
    label: str | Promise
    template: str
    subject: str | Promise = ""  # allauth kinds take theirs from allauth's template
    site_title: str | Promise = ""
    texts: dict[str, str | Promise] = field(default_factory=dict)
    sample: dict[str, Any] = field(default_factory=dict)
    sample_params: dict[str, Any] = field(default_factory=dict)
    allauth: bool = False
    # Sent to a person who is gone (their account deleted): once sent, not
    # even the address is kept.
    forget_address_when_sent: bool = False


# --- Samples (the admin's preview) -------------------------------------------------------

_ADDRESS = {
    "full_name": "Ada Lovelace",
    "street_address_1": "Hauptstraße 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country_code": "DE",
}
_ORDER = {
    "number": "7KQ2-M9XP-A4DE",
    "currency": "EUR",
    "subtotal": "89.90",
    "discounts": [{"label": "WELCOME10", "amount": "8.99"}],
    "shipping_method": {"name": "Standard"},
    "shipping_price": "4.90",
    "prices_include_tax": True,
    "tax_total": "13.70",
    "total": "85.81",
    "paid_at": "2026-12-01T10:00:00Z",
    "shipping_address": _ADDRESS,
}
_LINES = [
    {"product_title": "Linen shirt", "sku": "SHIRT-M-BLUE", "quantity": 2, "total": "59.90", "discount": ""},
    {"product_title": "Canvas tote", "sku": "TOTE", "quantity": 1, "total": "30.00", "discount": ""},
]
_ORDER_SAMPLE = {
    "order": _ORDER,
    "lines": _LINES,
    "order_url": "https://shop.example.com/orders/7KQ2-M9XP-A4DE/",
    "shipments": [
        {
            "shown_as": "DHL Paket",
            "tracking_number": "00340434161094042557",
            "tracking_url": "https://www.dhl.de/track?piececode=00340434161094042557",
        }
    ],
}
_ORDER_PARAMS = {"number": _ORDER["number"]}


@dataclass(frozen=True)
class SampleUser:
    """Who an account email's sample is to: allauth shows a user as its text."""

    email: str = "ada@example.com"
    first_name: str = "Ada"
    last_name: str = "Lovelace"

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


_ACCOUNT_SAMPLE = {
    "user": SampleUser(),
    "email": "ada@example.com",
    "activate_url": "https://shop.example.com/accounts/confirm-email/MQ:1t2:abc/",
    "password_reset_url": "https://shop.example.com/accounts/password/reset/key/1-set-password/",
    "signup_url": "https://shop.example.com/accounts/signup/",
    "code": "K7XP2Q",
    "key": "MQ:1t2:abc",
    "from_email": "ada@old.example.com",
    "to_email": "ada@example.com",
    "deleted_email": "ada@old.example.com",
    "current_site": {"name": "Shop", "domain": "shop.example.com"},
    # allauth's security notices name where the change came from.
    "ip": "203.0.113.7",
    "user_agent": "Firefox on Linux",
    "timestamp": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    "provider": "GitHub",
}


# --- The catalogue ----------------------------------------------------------------------


def _order_status(
    name: str, label: str | Promise, subject: str | Promise, headline: str | Promise, message: str | Promise
) -> Kind:
    """A message about an order's status, told by the shared lifecycle templates."""
    return Kind(
        name=name,
        group=Group.ORDERS,
        label=label,
        template="notifications/email/order_status",
        subject=subject,
        site_title=headline,
        texts={"headline": headline, "message": message},
        sample=_ORDER_SAMPLE,
        sample_params=_ORDER_PARAMS,
    )


_WISHLIST_SAMPLE = {
    "product_title": "Linen shirt",
    "variant_label": "M / Blue",
    "product_url": "https://shop.example.com/products/linen-shirt/?variant=7",
}
_WISHLIST_PARAMS = {"product": "Linen shirt"}


_REVIEW_SAMPLE = {
    "review": {"title": "Soft and warm", "rating": 5, "body": "The best scarf I have owned."},
    "product_title": "Merino scarf",
    "reason": "Reviews are about the product; please leave out the delivery company's name.",
    "reply": "Thank you! Glad it keeps you warm.",
    "review_url": "https://shop.example.com/products/merino-scarf/reviews/12/",
    "edit_url": "https://shop.example.com/products/merino-scarf/reviews/write/",
}


def _review_outcome(name: str, label: str | Promise, subject: str | Promise, title: str | Promise) -> Kind:
    """What became of a person's review: about what they published under
    their name, so always sent (with the account's messages)."""
    return Kind(
        name=name,
        group=Group.ACCOUNT,
        label=label,
        template=f"notifications/email/{name.replace('.', '_')}",
        subject=subject,
        site_title=title,
        sample=_REVIEW_SAMPLE,
        sample_params={"product": "Merino scarf"},
    )


def _allauth(prefix: str, label: str | Promise) -> Kind:
    """``account/email/password_changed`` is ``account.password_changed``;
    allauth's other apps' emails are named after the app
    (``account.mfa_totp_activated``, ``account.socialaccount_account_connected``)."""
    app, _email, name = prefix.split("/")
    name = f"account.{name}" if app == "account" else f"account.{app}_{name}"
    return Kind(
        name=name, group=Group.ACCOUNT, label=label, template=prefix, sample=_ACCOUNT_SAMPLE, allauth=True
    )


ALLAUTH_PREFIXES: dict[str, str | Promise] = {
    "account/email/email_confirmation_signup": _("Verify your address (sign-up)"),
    "account/email/email_confirmation": _("Verify your address"),
    "account/email/password_reset_key": _("Password reset link"),
    "account/email/password_reset_code": _("Password reset code"),
    "account/email/password_reset": _("Password reset"),
    "account/email/unknown_account": _("Password reset for an unknown address"),
    "account/email/account_already_exists": _("Sign-up with an address that has an account"),
    "account/email/password_changed": _("Password changed"),
    "account/email/password_set": _("Password set"),
    "account/email/email_changed": _("Email address changed"),
    "account/email/email_confirm": _("Email address confirmed"),
    "account/email/email_deleted": _("Email address removed"),
    "account/email/login_code": _("Sign-in code"),
    "mfa/email/totp_activated": _("Two-factor authentication turned on"),
    "mfa/email/totp_deactivated": _("Two-factor authentication turned off"),
    "mfa/email/recovery_codes_generated": _("New recovery codes"),
    "mfa/email/webauthn_added": _("Security key added"),
    "mfa/email/webauthn_removed": _("Security key removed"),
    "socialaccount/email/account_connected": _("Social account connected"),
    "socialaccount/email/account_disconnected": _("Social account disconnected"),
}

_KINDS: list[Kind] = [
    *(_allauth(prefix, label) for prefix, label in ALLAUTH_PREFIXES.items()),
    Kind(
        name="account.deleted",
        group=Group.ACCOUNT,
        label=_("Account deleted"),
        template="notifications/email/account_deleted",
        subject=_("[%(shop)s] Your account was deleted"),
        sample={"email": "ada@example.com"},
        forget_address_when_sent=True,
    ),
    Kind(
        name="order.confirmation",
        group=Group.ORDERS,
        label=_("Order confirmed"),
        template="notifications/email/order_confirmation",
        subject=_("[%(shop)s] Order %(number)s confirmed"),
        site_title=_("Order %(number)s is paid"),
        sample=_ORDER_SAMPLE,
        sample_params=_ORDER_PARAMS,
    ),
    Kind(
        name="order.cancelled",
        group=Group.ORDERS,
        label=_("Order cancelled"),
        template="notifications/email/order_cancelled",
        subject=_("[%(shop)s] Order %(number)s cancelled"),
        site_title=_("Order %(number)s was cancelled"),
        sample=_ORDER_SAMPLE,
        sample_params=_ORDER_PARAMS,
    ),
    _order_status(
        "order.payment_failed",
        _("Payment declined"),
        _("[%(shop)s] The payment for order %(number)s was declined"),
        _("The payment for order %(number)s was declined"),
        _(
            "Your bank declined the payment, so nothing was charged. Your items stay reserved "
            "for a while: pay with another card from your order page."
        ),
    ),
    _order_status(
        "order.shipped",
        _("Order shipped"),
        _("[%(shop)s] Order %(number)s shipped"),
        _("Your order %(number)s is on its way"),
        _("We have sent your order. You can follow the parcel with the carrier."),
    ),
    _order_status(
        "order.delivered",
        _("Order delivered"),
        _("[%(shop)s] Order %(number)s delivered"),
        _("Your order %(number)s was delivered"),
        _("We hope you enjoy it."),
    ),
    _order_status(
        "order.refunded",
        _("Refund"),
        _("[%(shop)s] Refund for order %(number)s"),
        _("A refund for your order %(number)s"),
        _("We refunded money to your original payment method; banks usually show it within a few days."),
    ),
    _order_status(
        "order.return_requested",
        _("Return requested"),
        _("[%(shop)s] Return for order %(number)s received"),
        _("We have your return request for order %(number)s"),
        _(
            "We will look at it and write to you when it is approved, "
            "with what to do next. Please do not send anything back before."
        ),
    ),
    _order_status(
        "order.return_approved",
        _("Return approved"),
        _("[%(shop)s] Return for order %(number)s approved"),
        _("Your return for order %(number)s is approved"),
        _("Please send the items back to us; we refund them when they arrive."),
    ),
    _order_status(
        "order.return_rejected",
        _("Return declined"),
        _("[%(shop)s] Return for order %(number)s declined"),
        _("Your return for order %(number)s was declined"),
        _("See your order page for the reason, or reply to this email."),
    ),
    _order_status(
        "order.return_refunded",
        _("Return refunded"),
        _("[%(shop)s] Return for order %(number)s refunded"),
        _("Your return for order %(number)s is refunded"),
        _("We received the items and refunded them to your original payment method."),
    ),
    Kind(
        name="marketing.announcement",
        group=Group.MARKETING,
        label=_("Announcement (written by staff)"),
        template="notifications/email/announcement",
        subject=_("[%(shop)s] %(title)s"),
        site_title=_("%(title)s"),
        sample={
            "title": "Summer sale: 20 % off linen",
            "paragraphs": [
                "Our linen shirts and dresses are 20 % off until Sunday.",
                "Free shipping over EUR 50.",
            ],
            "link_url": "https://shop.example.com/categories/linen/",
        },
        sample_params={"title": "Summer sale: 20 % off linen"},
    ),
    Kind(
        name="cart.reminder",
        group=Group.MARKETING,
        label=_("Items left in the cart"),
        template="notifications/email/cart_reminder",
        subject=_("[%(shop)s] Your cart is waiting for you"),
        site_title=_("Your cart is waiting for you"),
        sample={
            "lines": [
                {"title": "Linen shirt", "quantity": 2, "price": "29.95", "currency": "EUR"},
                {"title": "Canvas tote", "quantity": 1, "price": "30.00", "currency": "EUR"},
            ],
            "cart_url": "https://shop.example.com/cart/back/MQ:1t2:abc/",
        },
    ),
    Kind(
        # Asks the address to confirm before any marketing email goes to it
        # (double opt-in): a message the person asked for, so always sent.
        name="marketing.confirm",
        group=Group.ACCOUNT,
        label=_("Confirm marketing emails (double opt-in)"),
        template="notifications/email/marketing_confirm",
        subject=_("[%(shop)s] Please confirm you want our news and offers"),
        sample={"confirm_url": "https://shop.example.com/notifications/confirm/eyJlIjoiYWRh:1t2:abc/"},
    ),
    Kind(
        name="marketing.welcome",
        group=Group.MARKETING,
        label=_("Marketing emails confirmed"),
        template="notifications/email/marketing_welcome",
        subject=_("[%(shop)s] You will hear about our news and offers"),
    ),
    Kind(
        name="reviews.request",
        group=Group.REVIEWS,
        label=_("How do you like it? (after a delivery)"),
        template="notifications/email/review_request",
        subject=_("[%(shop)s] How do you like what you received?"),
        site_title=_("How do you like your order %(number)s? Write a review"),
        sample={
            "number": _ORDER["number"],
            "items": [
                {
                    "title": "Linen shirt",
                    "url": "https://shop.example.com/products/linen-shirt/reviews/write/?variant=7",
                },
                {
                    "title": "Canvas tote",
                    "url": "https://shop.example.com/products/canvas-tote/reviews/write/?variant=9",
                },
            ],
        },
        sample_params=_ORDER_PARAMS,
    ),
    _review_outcome(
        "reviews.published",
        _("Review published"),
        _("[%(shop)s] Your review of %(product)s is published"),
        _("Your review of %(product)s is published"),
    ),
    _review_outcome(
        "reviews.rejected",
        _("Review not published (with the reason)"),
        _("[%(shop)s] Your review of %(product)s was not published"),
        _("Your review of %(product)s was not published"),
    ),
    _review_outcome(
        "reviews.replied",
        _("The shop replied to a review"),
        _("[%(shop)s] We replied to your review of %(product)s"),
        _("We replied to your review of %(product)s"),
    ),
    Kind(
        # Wishlists' back-in-stock alert, to the people waiting first as
        # units come back (wishlists/alerts.py).
        name="wishlist.back_in_stock",
        group=Group.WISHLIST,
        label=_("Back in stock (an alert asked for)"),
        template="notifications/email/back_in_stock",
        subject=_("[%(shop)s] %(product)s is back in stock"),
        site_title=_("%(product)s is back in stock"),
        sample={**_WISHLIST_SAMPLE, "price": "EUR 29.95"},
        sample_params=_WISHLIST_PARAMS,
    ),
    Kind(
        name="wishlist.price_drop",
        group=Group.WISHLIST,
        label=_("A wished item is cheaper"),
        template="notifications/email/price_drop",
        subject=_("[%(shop)s] %(product)s is cheaper now"),
        site_title=_("%(product)s on your wishlist is cheaper now"),
        sample={**_WISHLIST_SAMPLE, "price_was": "EUR 39.95", "price": "EUR 29.95", "percent_off": 25},
        sample_params=_WISHLIST_PARAMS,
    ),
    Kind(
        # A guest's address confirms a back-in-stock alert before any alert
        # goes to it: a message the person asked for, so always sent.
        name="wishlist.stock_alert_confirm",
        group=Group.ACCOUNT,
        label=_("Confirm a back-in-stock alert (guests)"),
        template="notifications/email/stock_alert_confirm",
        subject=_("[%(shop)s] Please confirm your alert for %(product)s"),
        sample={
            **_WISHLIST_SAMPLE,
            "confirm_url": "https://shop.example.com/wishlists/alerts/confirm/eyJhIjo3:1t2:abc/",
        },
        sample_params=_WISHLIST_PARAMS,
    ),
    Kind(
        name="catalog.low_stock",
        group=Group.STAFF,
        label=_("Low stock (to staff)"),
        template="notifications/email/low_stock",
        subject=_("Low stock: %(sku)s %(title)s (%(available)d available)"),
        sample={
            "sku": "SHIRT-M-BLUE",
            "title": "Linen shirt",
            "available": 2,
            "on_hand": 3,
            "reserved": 1,
            "threshold": 5,
            "url": "https://shop.example.com/admin/catalog/variant/1/change/",
        },
        sample_params={"sku": "SHIRT-M-BLUE", "title": "Linen shirt", "available": 2},
    ),
    Kind(
        # A sales report staff scheduled (analytics.services): the headline
        # figures and the top lists in the email, every report in the PDF
        # attached.
        name="analytics.scheduled_report",
        group=Group.STAFF,
        label=_("Scheduled sales report (to staff)"),
        template="notifications/email/scheduled_report",
        subject=_("[%(shop)s] Sales report %(period)s"),
        sample={
            "period": "2026-11-30 to 2026-11-30",
            "compared": "2026-11-29 to 2026-11-29",
            "frequency": "daily",
            "tables": [
                {
                    "title": "Summary",
                    "columns": [
                        "Figure",
                        "2026-11-30 to 2026-11-30",
                        "2026-11-29 to 2026-11-29",
                        "Change (%)",
                    ],
                    "rows": [
                        ["Revenue (net of refunds)", "1,234.50", "1,000.00", "23.5"],
                        ["Orders", "21", "20", "5.0"],
                    ],
                },
                {
                    "title": "Top products by revenue",
                    "columns": ["Product", "Units", "Revenue", "Views", "Units returned"],
                    "rows": [["Linen shirt", "12", "359.40", "240", "1"]],
                },
            ],
            "attachment": "sales-2026-11-30-2026-11-30.pdf",
            "dashboard_url": "https://shop.example.com/admin/analytics/?from=2026-11-30&to=2026-11-30",
            "schedules_url": "https://shop.example.com/admin/analytics/reportschedule/",
        },
        sample_params={"period": "2026-11-30 to 2026-11-30"},
    ),
]

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}


def allauth_kind(template_prefix: str) -> Kind:
    """The kind of an allauth email, by the template prefix allauth sends with."""
    for kind in _KINDS:
        if kind.allauth and kind.template == template_prefix:
            return kind
    raise KeyError(f"No notification kind for allauth's {template_prefix!r}: add it to ALLAUTH_PREFIXES")
