"""Which favourites a request's heart goes to: a signed-in user's
"Favourites" (made when first needed), or a guest's list whose id their
session holds; at sign-in the guest's joins the account's."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import ngettext

from wishlists.models import Wishlist
from wishlists.services import favourites_get_or_create, wishlist_merge

SESSION_WISHLIST_ID = "wishlist_id"


def favourites_for_request(request: HttpRequest, *, create: bool = False) -> Wishlist | None:
    user = request.user
    if user.is_authenticated:
        wishlist = Wishlist.objects.filter(user_id=user.pk, is_default=True).first()
        if wishlist is None and create:
            wishlist = favourites_get_or_create(user=user)
        return wishlist
    wishlist_id = request.session.get(SESSION_WISHLIST_ID)
    wishlist = Wishlist.objects.filter(pk=wishlist_id, user__isnull=True).first() if wishlist_id else None
    if wishlist is None and create:
        wishlist = favourites_get_or_create(user=None)
        request.session[SESSION_WISHLIST_ID] = wishlist.pk
    return wishlist


def guest_wishlist_id(request: HttpRequest) -> int | None:
    """The id of the guest's favourites in this session, if any."""
    value = request.session.get(SESSION_WISHLIST_ID) if hasattr(request, "session") else None
    return value if isinstance(value, int) else None


def wishlist_merge_at_login(request: HttpRequest, user: object) -> None:
    """Called when someone signs in: the guest's favourites join theirs."""
    wishlist_id = request.session.pop(SESSION_WISHLIST_ID, None)
    guest = Wishlist.objects.filter(pk=wishlist_id, user__isnull=True).first() if wishlist_id else None
    if guest is None:
        return
    added = wishlist_merge(source=guest, user=user)  # type: ignore[arg-type]
    if added:
        messages.info(
            request,
            ngettext(
                "The item you saved is in your favourites.",
                "The %(count)d items you saved are in your favourites.",
                added,
            )
            % {"count": added},
        )
