"""/api/v1/checkout/ and /api/v1/orders/<number>/pay/: the checkout of the
requester's cart (a guest's by its ``X-Cart-Token``, see api/cart_views.py),
through the same services as the pages at /checkout/:

    PUT  checkout/                     email (guests), shipping and billing address
    GET  checkout/shipping-options/    the methods for that address
    PUT  checkout/shipping-option/     the chosen one
    POST checkout/place/               the order placed and its payment started
    POST orders/<number>/pay/          the test gateway's card (Stripe: Stripe.js)
    POST orders/<number>/pay/authenticate/  the test bank's 3-D Secure step

Placing and paying honour ``Idempotency-Key`` (api/idempotency.py). A step
still missing, stock sold meanwhile or a code that lapsed is a 409 naming
the step to fix (``code``: ``checkout_<step>``); a declined card a 402.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.addressing import AddressValidationError
from accounts.selectors import address_data, address_get_for_user
from accounts.services import address_create
from api.cart_views import (
    CART_TOKEN,
    CartPermission,
    Conflict,
    customer,
    requester_cart,
    requester_cart_made,
)
from api.checkout_serializers import (
    AuthenticateSerializer,
    CardSerializer,
    CheckoutPlacedSerializer,
    CheckoutSerializer,
    CheckoutUpdateSerializer,
    PaidSerializer,
    ShippingOptionChoiceSerializer,
    ShippingOptionsSerializer,
    card_step,
)
from api.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.idempotency import Owner, idempotent
from api.problems import CONTENT_TYPE, problem
from api.scopes import CART_WRITE, ORDERS_WRITE, READ
from orders.checkout.services import (
    Next,
    checkout_next,
    checkout_payment_declined,
    checkout_payment_open,
    order_payment_start,
)
from orders.checkout.steps import (
    CheckoutError,
    checkout_addresses_set,
    checkout_contact_set,
    checkout_get,
    checkout_missing_step,
    checkout_shipping_set,
    checkout_state,
)
from orders.lifecycle.payment import order_payment_authenticate, order_payment_card_submit
from orders.selectors import ORDERS_PLACED, order_get_for_customer
from orders.status import UNPAID
from payments.errors import PaymentError
from payments.gateways.base import CardDetails
from payments.selectors import payment_client_secret, payment_get_for_order, payment_takes_card_here

if TYPE_CHECKING:  # what the services and selectors hand us
    from accounts.models import User
    from cart.models import Cart
    from orders.models import Checkout, Order
    from payments.models import Payment

IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): the same key again replays the first answer for 24 hours.",
)
PROBLEM_409 = OpenApiResponse(description="A step is missing or the cart changed (code checkout_<step>).")


class PaymentUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "payment_unavailable"


def _checkout(request: Request) -> Checkout:
    return checkout_get(cart=requester_cart_made(request))


def _checkout_data(checkout: Checkout, user: User | None) -> dict[str, Any]:
    """The checkout priced by ``checkout_state`` (the one pricing function)."""
    state = checkout_state(checkout=checkout, user=user)
    priced = {line.key: line for line in state.breakdown.lines}
    order = checkout.order.number if checkout.order is not None else None
    return {
        "email": user.email if user is not None else checkout.email,
        "shipping_address": checkout.shipping_address or None,
        "billing_address": None if checkout.billing_same_as_shipping else (checkout.billing_address or None),
        "shipping_option": state.option,
        "missing_step": checkout_missing_step(checkout=checkout, user=user),
        "order": order,
        "lines": [{"line": line, "priced": priced[line.pk]} for line in state.lines],
        "totals": state.breakdown,
    }


def _address_errors(errors: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """The service's errors (billing ones prefixed ``billing_``) under each address."""
    shipping = {name: [text] for name, text in errors.items() if not name.startswith("billing_")}
    billing = {
        name.removeprefix("billing_"): [text] for name, text in errors.items() if name.startswith("billing_")
    }
    out = {}
    if shipping:
        out["shipping_address"] = shipping
    if billing:
        out["billing_address"] = billing
    return out


def _book_entry(user: User | None, data: dict[str, Any], name: str) -> dict[str, str] | None:
    """The address ``data[name]`` names in the signed-in user's book, as the
    checkout keeps it; another person's id is a field error like an unknown one."""
    if name not in data or user is None:
        return None
    try:
        return address_data(address_get_for_user(user=user, pk=data[name]))
    except ObjectDoesNotExist:  # Address.DoesNotExist
        raise exceptions.ValidationError({name: [_("No such address in your address book.")]}) from None


class CheckoutView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"GET": READ, "PUT": CART_WRITE}

    @extend_schema(parameters=[CART_TOKEN], responses={200: CheckoutSerializer}, operation_id="checkout_read")
    def get(self, request: Request) -> Response:
        user = customer(request)
        return Response(CheckoutSerializer(_checkout_data(_checkout(request), user)).data)

    @extend_schema(
        parameters=[CART_TOKEN],
        request=CheckoutUpdateSerializer,
        responses={200: CheckoutSerializer},
        operation_id="checkout_update",
    )
    def put(self, request: Request) -> Response:
        user = customer(request)
        serializer = CheckoutUpdateSerializer(data=request.data, context={"signed_in": user is not None})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checkout = _checkout(request)
        shipping = data.get("shipping_address") or _book_entry(user, data, "shipping_address_id")
        billing = data.get("billing_address") or _book_entry(user, data, "billing_address_id")
        if shipping is not None:
            try:
                checkout_addresses_set(checkout=checkout, shipping=shipping, billing=billing)
            except AddressValidationError as error:
                raise exceptions.ValidationError(_address_errors(error.errors)) from None
            except CheckoutError as error:  # nothing ships there
                raise exceptions.ValidationError(
                    {"shipping_address": {"non_field_errors": [error.message]}}
                ) from None
            if user is not None and data["save_to_address_book"]:
                address_create(user=user, data=shipping)
        if "email" in data:
            checkout_contact_set(checkout=checkout, email=data["email"])
        return Response(CheckoutSerializer(_checkout_data(checkout, user)).data)


class ShippingOptionsView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"GET": READ}

    @extend_schema(
        parameters=[CART_TOKEN],
        responses={200: ShippingOptionsSerializer, 409: PROBLEM_409},
        operation_id="checkout_shipping_options",
    )
    def get(self, request: Request) -> Response:
        checkout, user = _checkout(request), customer(request)
        missing = checkout_missing_step(checkout=checkout, user=user)
        if missing in ("cart", "address") or (missing is None and not checkout.shipping_address):
            raise Conflict(_("Give a shipping address first."), code=f"checkout_{missing or 'address'}")
        quote = checkout_state(checkout=checkout, user=user, quote=True).quote
        if quote is None:
            raise Conflict(
                _("We cannot ship to this address any more. Please choose another."), code="checkout_address"
            )
        chosen = checkout.shipping_option_id
        data = {
            "options": quote.options,
            "chosen": chosen if any(option.id == chosen for option in quote.options) else None,
            "notice": quote.notice,
        }
        return Response(ShippingOptionsSerializer(data).data)


class ShippingOptionView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"PUT": CART_WRITE}

    @extend_schema(
        parameters=[CART_TOKEN],
        request=ShippingOptionChoiceSerializer,
        responses={200: CheckoutSerializer},
        operation_id="checkout_shipping_option_set",
    )
    def put(self, request: Request) -> Response:
        serializer = ShippingOptionChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checkout, user = _checkout(request), customer(request)
        if not checkout.shipping_address:
            raise Conflict(_("Give a shipping address first."), code="checkout_address")
        try:
            checkout_shipping_set(checkout=checkout, option_id=serializer.validated_data["id"])
        except CheckoutError as error:
            raise exceptions.ValidationError({"id": [error.message]}) from None
        return Response(CheckoutSerializer(_checkout_data(checkout, user)).data)


def _card_step(request: Request, order: Order, payment: Payment | None) -> dict[str, str]:
    if payment is None or payment.is_paid:
        return {}
    if payment_takes_card_here(payment=payment):
        url = request.build_absolute_uri(reverse("api:v1:order_pay", kwargs={"number": order.number}))
        authenticate_url = ""
        if checkout_next(payment=payment) == Next.AUTHENTICATE:
            authenticate_url = request.build_absolute_uri(
                reverse("api:v1:order_pay_authenticate", kwargs={"number": order.number})
            )
        return card_step(payment=payment, pay_url=url, client_secret="", authenticate_url=authenticate_url)
    return card_step(payment=payment, pay_url="", client_secret=payment_client_secret(payment=payment))


def _owner(request: Request, cart: Cart | None) -> Owner:
    user = customer(request)
    return Owner(user=user) if user is not None else Owner(cart=cart)


class CheckoutPlaceView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"POST": ORDERS_WRITE}
    throttle_scope = "checkout"

    @extend_schema(
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=None,
        responses={201: CheckoutPlacedSerializer, 409: PROBLEM_409},
        operation_id="checkout_place",
    )
    def post(self, request: Request) -> Response:
        """Place the order (or find the one placed from this very checkout
        again) and start its payment: the card step says how to pay."""
        cart, user = requester_cart(request), customer(request)
        if cart is None:
            raise Conflict(_("Your cart is empty: add something to check out."), code="checkout_cart")

        def place() -> Response:
            try:
                step = checkout_payment_open(checkout=checkout_get(cart=cart), user=user)
            except CheckoutError as error:
                raise Conflict(error.message, code=f"checkout_{error.step}") from None
            if step.error:
                raise PaymentUnavailable(step.error)
            context = {"card_step": _card_step(request, step.order, step.payment)}
            data = {"order": step.order, "payment": step.payment, "paid": step.done}
            return Response(
                CheckoutPlacedSerializer(data, context=context).data, status=status.HTTP_201_CREATED
            )

        return idempotent(request, owner=_owner(request, cart), operation=place)


class _PaymentStep(APIView):
    """A step of paying an order: the requester's order only, ``orders:write``,
    the checkout's rate."""

    permission_classes = (CartPermission,)
    scopes = {"POST": ORDERS_WRITE}
    throttle_scope = "checkout"


class OrderPayView(_PaymentStep):
    @extend_schema(
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=CardSerializer,
        responses={
            200: PaidSerializer,
            402: OpenApiResponse(description="The card was declined (code card_declined); try another."),
            409: OpenApiResponse(description="The order cannot be paid here (cancelled, or Stripe's)."),
        },
        operation_id="order_pay",
    )
    def post(self, request: Request, number: str) -> Response:
        """Pay an order with the test gateway's card form (as the checkout's
        payment page does)."""
        order, owner = _payable_order(request, number)
        serializer = CardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card = CardDetails(**serializer.validated_data)
        return idempotent(request, owner=owner, operation=lambda: self._pay(request, order, card))

    def _pay(self, request: Request, order: Order, card: CardDetails) -> Response:
        if order.status not in UNPAID and order.status not in ORDERS_PLACED:  # cancelled
            raise Conflict(_("This order can no longer be paid."), code="order_not_payable")
        try:
            payment = order_payment_start(order=order)
            if not payment_takes_card_here(payment=payment):
                raise Conflict(
                    _("This order is paid with Stripe.js: confirm the client secret from checkout/place."),
                    code="card_step_elsewhere",
                )
            payment = order_payment_card_submit(payment=payment, card=card)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        except PaymentError as error:
            raise Conflict(str(error), code="payment_refused") from None
        return _paid_answer(request, order, payment)


class OrderAuthenticateView(_PaymentStep):
    @extend_schema(
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=AuthenticateSerializer,
        responses={
            200: PaidSerializer,
            402: OpenApiResponse(description="The step failed (code card_declined); pay with another card."),
            409: OpenApiResponse(
                description="The payment is not waiting for this step (code not_authenticating)."
            ),
        },
        operation_id="order_pay_authenticate",
    )
    def post(self, request: Request, number: str) -> Response:
        """The test bank's 3-D Secure step, which the test card ...3155 asks
        for (``next: authenticate`` from paying): the shopper approves or
        fails it, as on the checkout's authentication page."""
        order, owner = _payable_order(request, number)
        serializer = AuthenticateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approve = serializer.validated_data["approve"]
        return idempotent(request, owner=owner, operation=lambda: self._authenticate(request, order, approve))

    def _authenticate(self, request: Request, order: Order, approve: bool) -> Response:
        payment = payment_get_for_order(order_reference=order.number)
        if payment is None or checkout_next(payment=payment) != Next.AUTHENTICATE:
            raise Conflict(_("This payment is not waiting for authentication."), code="not_authenticating")
        try:
            payment = order_payment_authenticate(payment=payment, approve=approve)
        except PaymentError as error:
            raise Conflict(str(error), code="payment_refused") from None
        return _paid_answer(request, order, payment)


def _payable_order(request: Request, number: str) -> tuple[Order, Owner]:
    """The requester's order ``number`` (a guest's: the one placed from their
    cart's checkout), or a 404; and who owns its Idempotency-Keys."""
    user = customer(request)
    cart = None if user is not None else requester_cart(request)
    placed = checkout_get(cart=cart).order if cart is not None else None
    try:
        order = order_get_for_customer(
            number=number, user=user, placed_here=[placed.number] if placed is not None else []
        )
    except ObjectDoesNotExist:  # Order.DoesNotExist: not theirs
        raise exceptions.NotFound(_("No such order.")) from None
    return order, _owner(request, cart)


def _paid_answer(request: Request, order: Order, payment: Payment) -> Response:
    """After the gateway answered: a 402 problem for a declined card (or a
    failed bank step), else the payment and what comes next."""
    order.refresh_from_db()
    if checkout_payment_declined(order=order, payment=payment):
        detail = " ".join([payment.failure_message, _("Nothing was charged. Please try another card.")])
        return Response(
            problem(status.HTTP_402_PAYMENT_REQUIRED, detail.strip(), code="card_declined"),
            status=status.HTTP_402_PAYMENT_REQUIRED,
            content_type=CONTENT_TYPE,
        )
    data = {
        "order": order,
        "payment": payment,
        "paid": payment.is_paid,
        "next": checkout_next(payment=payment),
    }
    return Response(PaidSerializer(data, context={"card_step": _card_step(request, order, payment)}).data)
