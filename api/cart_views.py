"""/api/v1/cart/: the cart, for a guest or a signed-in person.

Whose cart: someone signed in (session or access token) always uses their
own cart, as on the pages (``cart.session``). A guest has no account and so
no access token: ``POST /api/v1/cart/`` makes a guest cart and answers with
its key in the ``X-Cart-Token`` header (the cart's id, signed), which the
guest sends back on every cart and checkout call. A missing token is a 401,
a bad one or one whose cart is now a person's a 404.

Every change calls the cart's services, as the cart page does; their
refusals (out of stock, over the per-order limit, a code that does not
apply) are 400 problems with the service's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.cart_serializers import (
    CartLineAddSerializer,
    CartLineUpdateSerializer,
    CartMergedSerializer,
    CartSerializer,
    PromoCodeSerializer,
)
from api.permissions import ScopePermission
from api.scopes import CART_WRITE, READ
from cart.pages import cart_page_build
from cart.selectors import guest_cart_get
from cart.services import (
    CartError,
    cart_create,
    cart_join_guest,
    cart_line_add,
    cart_line_remove,
    cart_line_update,
    cart_promo_apply,
    cart_promo_remove,
)
from cart.session import cart_for_request
from promotions.values import Customer, PromoContext, PromoRefused

if TYPE_CHECKING:  # what the cart's selectors and services hand us
    from accounts.models import User
    from cart.models import Cart

CART_TOKEN_HEADER = "X-Cart-Token"  # noqa: S105 (a header's name)
_CART_TOKEN_SALT = "api.cart-token"  # noqa: S105 (a signing salt, not a secret)

CART_TOKEN = OpenApiParameter(
    CART_TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A guest's cart key from POST /api/v1/cart/ (not needed when signed in).",
)


class Refused(exceptions.APIException):
    """A service said no (``CartError``, ``PromoRefused``, ``CheckoutError``):
    nothing changed, ``detail`` is the service's message."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


class Conflict(exceptions.APIException):
    """The request is fine but the state of the cart, checkout or order does
    not allow it now (a step missing, sold out meanwhile, already paid)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CartPermission(ScopePermission):
    """Guests pass here without a scope: they have no access token to carry
    one, and a guest cart's key (``X-Cart-Token``) gives access to that one
    cart and its checkout only; the view checks it (401 without, 404 when
    wrong). Anyone signed in goes through ``ScopePermission``, so a token
    still needs ``read``, ``cart:write`` or ``orders:write``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            # Without a cart's key a guest is nobody: a 401 before the body is read.
            starts = request.method == "POST" and getattr(view, "guest_may_start", False)
            if not request.headers.get(CART_TOKEN_HEADER) and not starts:
                raise exceptions.NotAuthenticated(
                    _("Sign in, send a personal access token, or send the X-Cart-Token of your guest cart.")
                )
            return True
        return super().has_permission(request, view)


def cart_token(cart: Cart) -> str:
    return signing.dumps(cart.pk, salt=_CART_TOKEN_SALT)


def customer(request: Request) -> User | None:
    return request.user if request.user.is_authenticated else None


def requester_cart(request: Request, *, create: bool = False) -> Cart | None:
    """The cart this request shops with: the person's own (made now when
    ``create``; None when they have none), or the guest cart of the
    ``X-Cart-Token``."""
    if request.user.is_authenticated:
        return cart_for_request(cast(HttpRequest, request), create=create)
    token = request.headers.get(CART_TOKEN_HEADER)
    if not token:
        raise exceptions.NotAuthenticated(
            _("Sign in, send a personal access token, or send the X-Cart-Token of your guest cart.")
        )
    return _guest_cart(token)


def _guest_cart(token: str) -> Cart:
    """The guest cart of an ``X-Cart-Token``, or a 404."""
    try:
        cart_id = signing.loads(token, salt=_CART_TOKEN_SALT)
    except signing.BadSignature:
        cart_id = None
    found = guest_cart_get(cart_id=cart_id) if isinstance(cart_id, int) else None
    if found is None:
        raise exceptions.NotFound(_("No such cart."))
    return found


def promo_context(request: Request) -> PromoContext:
    user = customer(request)
    return PromoContext(customer=Customer(user_id=user.pk, email=user.email)) if user else PromoContext()


def requester_cart_made(request: Request) -> Cart:
    cart = requester_cart(request, create=True)
    assert cart is not None  # noqa: S101 (create=True always returns one)
    return cart


def requester_cart_or_404(request: Request, message: str) -> Cart:
    """Line ids and codes belong to a cart: without one, each is someone else's."""
    cart = requester_cart(request)
    if cart is None:
        raise exceptions.NotFound(message)
    return cart


def cart_response(request: Request, cart: Cart | None, *, status_code: int = status.HTTP_200_OK) -> Response:
    page = cart_page_build(cart=cart, context=promo_context(request))
    return Response(CartSerializer(page).data, status=status_code)


class CartView(APIView):
    guest_may_start = True  # POST without a key: a guest's new cart
    """Read the cart; POST makes a guest cart (or gives a signed-in person theirs)."""

    permission_classes = (CartPermission,)
    scopes = {"GET": READ, "POST": CART_WRITE}

    @extend_schema(parameters=[CART_TOKEN], responses={200: CartSerializer}, operation_id="cart_read")
    def get(self, request: Request) -> Response:
        return cart_response(request, requester_cart(request))

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(
                CartSerializer, description="A new guest cart; its key is in the X-Cart-Token header."
            ),
            200: OpenApiResponse(CartSerializer, description="Signed in: your own cart."),
        },
        operation_id="cart_create",
    )
    def post(self, request: Request) -> Response:
        if request.user.is_authenticated:
            return cart_response(request, requester_cart_made(request))
        cart = cart_create()
        response = cart_response(request, cart, status_code=status.HTTP_201_CREATED)
        response[CART_TOKEN_HEADER] = cart_token(cart)
        return response


class CartMergeView(APIView):
    """Signed in now, with a guest cart from before: its lines join the
    person's cart, as at sign-in on the pages (quantities add up within
    stock and the per-order limit; the guest cart is gone afterwards)."""

    permission_classes = (ScopePermission,)
    scopes = {"POST": CART_WRITE}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                CART_TOKEN_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="The guest cart's key, from POST /api/v1/cart/ before signing in.",
            )
        ],
        request=None,
        responses={200: CartMergedSerializer},
        operation_id="cart_merge",
    )
    def post(self, request: Request) -> Response:
        token = request.headers.get(CART_TOKEN_HEADER)
        if not token:
            raise exceptions.ValidationError(
                {CART_TOKEN_HEADER: [_("Send the X-Cart-Token of the guest cart to merge.")]}
            )
        guest = _guest_cart(token)
        own, result = cart_join_guest(guest=guest, user=cast("User", request.user))
        page = cart_page_build(cart=own, context=promo_context(request))
        adopted = own is not None and own.pk == guest.pk  # they had no cart: the guest's is theirs now
        data = {
            "added": result.added if result else (page.count if adopted else 0),
            "notes": list(result.notes) if result else [],
            "cart": page,
        }
        return Response(CartMergedSerializer(data).data)


class CartLinesView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"POST": CART_WRITE}

    @extend_schema(
        parameters=[CART_TOKEN],
        request=CartLineAddSerializer,
        responses={201: CartSerializer},
        operation_id="cart_line_add",
    )
    def post(self, request: Request) -> Response:
        cart = requester_cart_made(request)
        serializer = CartLineAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            cart_line_add(
                cart=cart,
                variant_id=serializer.validated_data["variant"],
                quantity=serializer.validated_data["quantity"],
            )
        except CartError as error:
            raise Refused(error.message, code="cart_refused") from None
        return cart_response(request, cart, status_code=status.HTTP_201_CREATED)


class CartLineView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"PATCH": CART_WRITE, "DELETE": CART_WRITE}

    @extend_schema(
        parameters=[CART_TOKEN],
        request=CartLineUpdateSerializer,
        responses={200: CartSerializer},
        operation_id="cart_line_update",
    )
    def patch(self, request: Request, line_id: int) -> Response:
        cart = requester_cart_or_404(request, _("No such line in your cart."))
        serializer = CartLineUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            cart_line_update(cart=cart, line_id=line_id, quantity=serializer.validated_data["quantity"])
        except ObjectDoesNotExist:  # CartLine.DoesNotExist: not a line of this cart
            raise exceptions.NotFound(_("No such line in your cart.")) from None
        except CartError as error:
            raise Refused(error.message, code="cart_refused") from None
        return cart_response(request, cart)

    @extend_schema(parameters=[CART_TOKEN], responses={200: CartSerializer}, operation_id="cart_line_remove")
    def delete(self, request: Request, line_id: int) -> Response:
        cart = requester_cart_or_404(request, _("No such line in your cart."))
        try:
            cart_line_remove(cart=cart, line_id=line_id)
        except ObjectDoesNotExist:  # CartLine.DoesNotExist: not a line of this cart
            raise exceptions.NotFound(_("No such line in your cart.")) from None
        return cart_response(request, cart)


class CartPromoCodesView(APIView):
    permission_classes = (CartPermission,)
    scopes = {"POST": CART_WRITE, "DELETE": CART_WRITE}
    throttle_scope = "promo"

    @extend_schema(
        parameters=[CART_TOKEN],
        request=PromoCodeSerializer,
        responses={200: CartSerializer},
        operation_id="cart_promo_code_apply",
    )
    def post(self, request: Request) -> Response:
        cart = requester_cart_made(request)
        serializer = PromoCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            cart_promo_apply(
                cart=cart, code=serializer.validated_data["code"], context=promo_context(request)
            )
        except CartError as error:
            raise Refused(error.message, code="cart_refused") from None
        except PromoRefused as error:
            raise Refused(error.message, code=f"promo_{error.reason}") from None
        return cart_response(request, cart)

    @extend_schema(
        parameters=[
            CART_TOKEN,
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.QUERY, description="The code to remove."
            ),
        ],
        request=None,
        responses={200: CartSerializer},
        operation_id="cart_promo_code_remove",
    )
    def delete(self, request: Request) -> Response:
        """Remove a code: ``?code=SPRING`` (a JSON body ``{"code": ...}`` works too)."""
        body = request.data if isinstance(request.data, dict) else {}
        serializer = PromoCodeSerializer(data={"code": request.query_params.get("code", body.get("code"))})
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data["code"]
        cart = requester_cart_or_404(request, _("%(code)s is not applied to your cart.") % {"code": code})
        try:
            cart_promo_remove(cart=cart, code=code)
        except CartError as error:
            raise Refused(error.message, code="cart_refused") from None
        return cart_response(request, cart)
