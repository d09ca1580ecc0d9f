"""``/api/v1/me/…``: the signed-in person's own account, as the account pages
show it: profile, address book, orders (with cancelling, returns and the
invoice), wishlists, reviews, notices and "Download my data".

Each view parses, calls the service the page calls, and responds. Objects
are looked up within the person's own, so another person's order, address,
list, review or notice is a 404. Orders placed as a guest are not here: a
guest's key to them is the browser session that placed them (or the
tracking page), which a token does not have.
"""

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.addressing import AddressValidationError
from accounts.forms import ProfileForm
from accounts.selectors import address_get_for_user, address_list_for_user
from accounts.services import address_create, address_delete, address_update, user_profile_update
from api import account_serializers as s
from api.pagination import Cursor
from api.scopes import ACCOUNT_WRITE, ORDERS_WRITE, READ
from catalog.selectors import product_get_for_page
from notifications.optin import preferences_save
from notifications.preferences import preferences_for
from notifications.selectors import notices_of
from notifications.services import notice_read, notices_read_all
from orders.invoices import INVOICE_STATUSES, order_invoice_pdf
from orders.lifecycle.cancellation import order_cancel
from orders.lifecycle.returns import ReturnError, return_request
from orders.lifecycle.transitions import OrderStateError
from orders.order_page import order_page_build
from orders.privacy import personal_data_export
from orders.selectors import order_get_for_customer, order_returns, orders_for_user
from reviews.selectors import review_get_for_author, review_get_own, reviews_of
from reviews.services import ReviewInput, ReviewRefused, review_delete, review_write
from wishlists.selectors import wishlist_get_for_owner, wishlist_items, wishlists_of
from wishlists.services import (
    WishlistError,
    item_add,
    item_remove,
    item_target,
    item_update,
    wishlist_create,
    wishlist_delete,
    wishlist_rename,
)

if TYPE_CHECKING:
    from accounts.models import Address, User
    from orders.models import Order
    from reviews.models import Review
    from wishlists.models import Wishlist, WishlistItem


class Conflict(exceptions.APIException):
    """The object's state refuses the action (an order already shipped)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the object's current state."
    default_code = "conflict"


class Oldest(Cursor):
    ordering = "pk"


class Newest(Cursor):
    ordering = ("-created_at", "-pk")  # type: ignore[assignment]


class WithoutActions(SimpleMetadata):
    """OPTIONS names the view, what it renders and parses, and not the
    fields of each method (which would look objects up outside the view's
    own lookups; the schema describes them)."""

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}


class AccountView(GenericAPIView[Any]):
    """Behind ScopePermission, so ``request.user`` is signed in."""

    metadata_class = WithoutActions

    def me(self) -> "User":
        return cast("User", self.request.user)

    def page(self, queryset: QuerySet[Any], serializer: type[BaseSerializer[Any]]) -> Response:
        rows = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer(rows, many=True).data)


def _invalid(errors: dict[str, Any]) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {name: value if isinstance(value, list) else [value] for name, value in errors.items()}
    )


# --- Profile -------------------------------------------------------------------------------


def _profile(user: "User") -> dict[str, Any]:
    chosen = preferences_for(user=user)
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": str(user.phone or ""),
        "preferences": {name: chosen[choice] for name, choice in s.PREFERENCES.items()},
        "marketing_confirmation_sent": False,
    }


class ProfileView(AccountView):
    scopes = {"GET": READ, "PATCH": ACCOUNT_WRITE}
    serializer_class = s.ProfileSerializer

    @extend_schema(responses=s.ProfileSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.ProfileSerializer(_profile(self.me())).data)

    @extend_schema(request=s.ProfileSerializer, responses=s.ProfileSerializer)
    def patch(self, request: Request) -> Response:
        user = self.me()
        incoming = s.ProfileSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if {"first_name", "last_name", "phone"} & data.keys():
            profile = {
                **ProfileForm.initial_for(user),
                **{k: v for k, v in data.items() if k != "preferences"},
            }
            user_profile_update(user=user, **profile)
        sent = False
        if data.get("preferences"):
            choices = preferences_for(user=user)
            choices.update({s.PREFERENCES[name]: value for name, value in data["preferences"].items()})
            sent = preferences_save(user=user, choices=choices)
        return Response(s.ProfileSerializer({**_profile(user), "marketing_confirmation_sent": sent}).data)


# --- Address book ------------------------------------------------------------------------------

ADDRESS_INPUT = (
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
)


class AddressListView(AccountView):
    scopes = {"GET": READ, "POST": ACCOUNT_WRITE}
    serializer_class = s.MyAddressSerializer
    pagination_class = Oldest

    @extend_schema(responses=s.MyAddressSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.page(address_list_for_user(user=self.me()), s.MyAddressSerializer)

    @extend_schema(request=s.MyAddressSerializer, responses={201: s.MyAddressSerializer})
    def post(self, request: Request) -> Response:
        incoming = s.MyAddressSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            address = address_create(
                user=self.me(),
                data=data,
                default_shipping=data.get("is_default_shipping", False),
                default_billing=data.get("is_default_billing", False),
            )
        except AddressValidationError as error:
            raise _invalid(error.errors) from None
        return Response(s.MyAddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(AccountView):
    scopes = {"GET": READ, "PATCH": ACCOUNT_WRITE, "DELETE": ACCOUNT_WRITE}
    serializer_class = s.MyAddressSerializer

    def address(self, pk: int) -> "Address":
        try:
            return address_get_for_user(user=self.me(), pk=pk)
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such address in your address book.")) from None

    @extend_schema(responses=s.MyAddressSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.MyAddressSerializer(self.address(pk)).data)

    @extend_schema(request=s.MyAddressSerializer(partial=True), responses=s.MyAddressSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        address = self.address(pk)
        incoming = s.MyAddressSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        merged = {**{name: getattr(address, name) for name in ADDRESS_INPUT}, **data}
        try:
            address = address_update(
                address=address,
                data=merged,
                default_shipping=data.get("is_default_shipping", False),
                default_billing=data.get("is_default_billing", False),
            )
        except AddressValidationError as error:
            raise _invalid(error.errors) from None
        return Response(s.MyAddressSerializer(address).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        address_delete(address=self.address(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Orders --------------------------------------------------------------------------------------


class OrderView(AccountView):
    lookup_url_kwarg = "number"

    def order(self, number: str) -> "Order":
        """The person's own order (never a guest's nor anyone else's)."""
        try:
            return order_get_for_customer(number=number, user=self.me())
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such order.")) from None


class OrderListView(OrderView):
    scopes = {"GET": READ}
    serializer_class = s.MyOrderSummarySerializer
    pagination_class = Newest

    @extend_schema(parameters=[s.MyOrderFilterSerializer], responses=s.MyOrderSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        query = s.MyOrderFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("status", "")
        return self.page(orders_for_user(user=self.me(), status=wanted), s.MyOrderSummarySerializer)


class OrderDetailView(OrderView):
    scopes = {"GET": READ}
    serializer_class = s.MyOrderDetailSerializer

    @extend_schema(responses=s.MyOrderDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(s.MyOrderDetailSerializer(order_page_build(order=self.order(number))).data)


class OrderCancelView(OrderView):
    scopes = {"POST": ORDERS_WRITE}
    serializer_class = s.MyOrderDetailSerializer

    @extend_schema(
        request=None,
        responses={
            200: s.MyOrderDetailSerializer,
        },
    )
    def post(self, request: Request, number: str) -> Response:
        order = self.order(number)
        try:
            order_cancel(order_id=order.pk, by=self.me())
        except OrderStateError as error:
            raise Conflict(error.message) from None
        return Response(s.MyOrderDetailSerializer(order_page_build(order=self.order(number))).data)


class OrderReturnsView(OrderView):
    scopes = {"GET": READ, "POST": ORDERS_WRITE}
    serializer_class = s.MyReturnSerializer

    @extend_schema(responses=s.MyReturnSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        returns = order_returns(order=self.order(number))
        return Response(s.MyReturnSerializer(returns, many=True).data)

    @extend_schema(request=s.MyReturnRequestSerializer, responses={201: s.MyReturnSerializer})
    def post(self, request: Request, number: str) -> Response:
        order = self.order(number)
        incoming = s.MyReturnRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            made = return_request(
                order=order,
                user=self.me(),
                lines={line["line"]: line["quantity"] for line in data["lines"]},
                reason=data["reason"],
            )
        except ReturnError as error:
            raise exceptions.ValidationError({"non_field_errors": [error.message]}) from None
        made = next(ret for ret in order_returns(order=order) if ret.pk == made.pk)
        return Response(s.MyReturnSerializer(made).data, status=status.HTTP_201_CREATED)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the invoice itself
    is sent as it is, and an error as problem details."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class OrderInvoiceView(OrderView):
    scopes = {"GET": READ}
    renderer_classes = (JSONRenderer, PdfRenderer)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The invoice, as PDF."
            ),
        }
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        order = self.order(number)
        if order.status not in INVOICE_STATUSES:
            raise exceptions.NotFound(_("An invoice is made once the order is paid."))
        response = HttpResponse(order_invoice_pdf(order=order), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{order.number}.pdf"'
        return response


# --- Download my data ----------------------------------------------------------------------------


class DataExportView(AccountView):
    """A POST, as on the page: it gathers a lot, and must not be cached or prefetched."""

    scopes = {"POST": READ}

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="As “Download my data”.")},
    )
    def post(self, request: Request) -> Response:
        return Response(personal_data_export(user=self.me()), headers={"Cache-Control": "no-store"})


# --- Wishlists -------------------------------------------------------------------------------------


def _wishlist_refused(error: WishlistError) -> exceptions.ValidationError:
    return exceptions.ValidationError({"non_field_errors": [error.message]})


class WishlistView(AccountView):
    def wishlist(self, pk: int) -> "Wishlist":
        try:
            return wishlist_get_for_owner(pk=pk, user=self.me(), guest_id=None)
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such list of yours.")) from None

    def detail(self, wishlist: "Wishlist") -> Response:
        wishlist = wishlists_of(user=self.me()).get(pk=wishlist.pk)
        wishlist.items_shown = wishlist_items(wishlist=wishlist)  # type: ignore[attr-defined]
        return Response(s.WishlistDetailSerializer(wishlist).data)


class WishlistListView(WishlistView):
    scopes = {"GET": READ, "POST": ACCOUNT_WRITE}
    serializer_class = s.WishlistSerializer
    pagination_class = Oldest

    @extend_schema(responses=s.WishlistSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.page(wishlists_of(user=self.me()), s.WishlistSerializer)

    @extend_schema(request=s.WishlistSerializer, responses={201: s.WishlistDetailSerializer})
    def post(self, request: Request) -> Response:
        incoming = s.WishlistSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            wishlist = wishlist_create(user=self.me(), name=incoming.validated_data["name"])
        except WishlistError as error:
            raise _wishlist_refused(error) from None
        response = self.detail(wishlist)
        response.status_code = status.HTTP_201_CREATED
        return response


class WishlistDetailView(WishlistView):
    scopes = {"GET": READ, "PATCH": ACCOUNT_WRITE, "DELETE": ACCOUNT_WRITE}
    serializer_class = s.WishlistDetailSerializer

    @extend_schema(responses=s.WishlistDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return self.detail(self.wishlist(pk))

    @extend_schema(request=s.WishlistSerializer, responses=s.WishlistDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        wishlist = self.wishlist(pk)
        incoming = s.WishlistSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            wishlist_rename(wishlist=wishlist, name=incoming.validated_data["name"])
        except WishlistError as error:
            raise _wishlist_refused(error) from None
        return self.detail(wishlist)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Deletes the list; "Favourites" is only emptied."""
        wishlist_delete(wishlist=self.wishlist(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WishlistItemsView(WishlistView):
    scopes = {"POST": ACCOUNT_WRITE}
    serializer_class = s.WishlistItemAddSerializer

    @extend_schema(request=s.WishlistItemAddSerializer, responses={201: s.WishlistDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Adds a product (or one variant of it); adding it again changes nothing."""
        wishlist = self.wishlist(pk)
        incoming = s.WishlistItemAddSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            product, variant = item_target(product_id=data["product"], variant_id=data.get("variant"))
            item_add(wishlist=wishlist, product=product, variant=variant, quantity=data["quantity"])
        except WishlistError as error:
            raise _wishlist_refused(error) from None
        response = self.detail(wishlist)
        response.status_code = status.HTTP_201_CREATED
        return response


class WishlistItemView(WishlistView):
    scopes = {"PATCH": ACCOUNT_WRITE, "DELETE": ACCOUNT_WRITE}
    serializer_class = s.WishlistItemUpdateSerializer

    def item(self, pk: int, item_pk: int) -> "WishlistItem":
        item = self.wishlist(pk).items.filter(pk=item_pk).first()
        if item is None:
            raise exceptions.NotFound(_("No such item in this list."))
        return item

    @extend_schema(request=s.WishlistItemUpdateSerializer, responses=s.WishlistDetailSerializer)
    def patch(self, request: Request, pk: int, item_pk: int) -> Response:
        item = self.item(pk, item_pk)
        incoming = s.WishlistItemUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            item_update(
                item=item, note=data.get("note", item.note), quantity=data.get("quantity", item.quantity)
            )
        except WishlistError as error:
            raise _wishlist_refused(error) from None
        return self.detail(item.wishlist)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, item_pk: int) -> Response:
        item_remove(item=self.item(pk, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Reviews ---------------------------------------------------------------------------------------


def _review_refused(error: ReviewRefused) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def _review_input(product: Any, data: dict[str, Any]) -> ReviewInput:
    variant = None
    if data.get("variant_id") is not None:
        variant = next((v for v in product.active_variants if v.pk == data["variant_id"]), None)
        if variant is None:
            raise exceptions.ValidationError({"variant": [_("Choose a variant of this product.")]})
    return ReviewInput(
        rating=data["rating"],
        title=data["title"],
        body=data["body"],
        author_name=data["author_name"],
        variant=variant,
    )


def _product(slug: str) -> Any:
    try:
        return product_get_for_page(slug=slug)
    except ObjectDoesNotExist:
        raise exceptions.ValidationError({"product_slug": [_("No such product.")]}) from None


class ReviewListView(AccountView):
    scopes = {"GET": READ, "POST": ACCOUNT_WRITE}
    serializer_class = s.MyReviewSerializer
    pagination_class = Newest

    @extend_schema(responses=s.MyReviewSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.page(reviews_of(user=self.me()), s.MyReviewSerializer)

    @extend_schema(
        request=s.MyReviewSerializer, responses={201: s.MyReviewSerializer, 200: s.MyReviewSerializer}
    )
    def post(self, request: Request) -> Response:
        """Writes your review of a product (201), or edits the one you wrote (200)."""
        incoming = s.MyReviewSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        product = _product(data["product_slug"])
        existed = review_get_own(user=self.me(), product=product) is not None
        try:
            review = review_write(user=self.me(), product=product, data=_review_input(product, data))
        except ReviewRefused as error:
            raise _review_refused(error) from None
        return Response(
            s.MyReviewSerializer(review).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class ReviewDetailView(AccountView):
    scopes = {"GET": READ, "PUT": ACCOUNT_WRITE, "DELETE": ACCOUNT_WRITE}
    serializer_class = s.MyReviewUpdateSerializer

    def review(self, pk: int) -> "Review":
        try:
            return review_get_for_author(user=self.me(), pk=pk)
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such review of yours.")) from None

    @extend_schema(responses=s.MyReviewSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.MyReviewSerializer(self.review(pk)).data)

    @extend_schema(request=s.MyReviewUpdateSerializer, responses=s.MyReviewSerializer)
    def put(self, request: Request, pk: int) -> Response:
        """Rewrites the review (it may go back to moderation, as on the page)."""
        review = self.review(pk)
        incoming = s.MyReviewUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            product = product_get_for_page(slug=review.product.slug)
        except ObjectDoesNotExist:
            raise Conflict(_("This product is no longer sold; its review can only be deleted.")) from None
        try:
            review = review_write(
                user=self.me(), product=product, data=_review_input(product, incoming.validated_data)
            )
        except ReviewRefused as error:
            raise _review_refused(error) from None
        return Response(s.MyReviewSerializer(review).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        review_delete(review=self.review(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Notices -------------------------------------------------------------------------------------------


class NoticeListView(AccountView):
    scopes = {"GET": READ}
    serializer_class = s.NoticeSerializer
    pagination_class = Newest

    @extend_schema(responses=s.NoticeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.page(notices_of(user_id=self.me().pk), s.NoticeSerializer)


class NoticeReadView(AccountView):
    scopes = {"POST": ACCOUNT_WRITE}
    serializer_class = s.NoticeSerializer

    @extend_schema(request=None, responses=s.NoticeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        try:
            notice = notice_read(user_id=self.me().pk, notification_id=pk)
        except ObjectDoesNotExist:
            raise exceptions.NotFound(_("No such notification.")) from None
        return Response(s.NoticeSerializer(notice).data)


class NoticesReadAllView(AccountView):
    scopes = {"POST": ACCOUNT_WRITE}
    serializer_class = s.NoticeCountSerializer

    @extend_schema(request=None, responses=s.NoticeCountSerializer)
    def post(self, request: Request) -> Response:
        return Response({"count": notices_read_all(user_id=self.me().pk)})
