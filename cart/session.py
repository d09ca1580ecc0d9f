"""Which cart a request is shopping with.

A signed-in user's cart is the row linked to the user (it follows them to
any device); a guest's is the row whose id their session holds. The header's
item count is kept in the session too, so pages other than the cart's read
it without a query; each change of the cart refreshes it.
"""

from datetime import timedelta

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from cart.models import Cart
from cart.selectors import cart_item_count, guest_cart_get
from cart.services import cart_create, cart_join_guest, cart_merge

SESSION_CART_ID = "cart_id"
SESSION_CART_COUNT = "cart_count"


def cart_for_request_or_new(request: HttpRequest) -> Cart:
    """The visitor's cart, made now if they have none."""
    cart = cart_for_request(request, create=True)
    assert cart is not None  # noqa: S101 (create=True always returns one)
    return cart


def cart_for_request(request: HttpRequest, *, create: bool = False) -> Cart | None:
    user = request.user
    if user.is_authenticated:
        cart = Cart.objects.filter(user=user).first()
        if cart is None and create:
            cart = cart_create(user=user)
        return cart
    cart_id = request.session.get(SESSION_CART_ID)
    cart = guest_cart_get(cart_id=cart_id) if cart_id else None
    if cart is None and create:
        cart = cart_create()
        request.session[SESSION_CART_ID] = cart.pk
    return cart


def cart_count_remember(request: HttpRequest, cart: Cart | None, count: int | None = None) -> int:
    """Store the header's item count (counting when not given)."""
    count = cart_item_count(cart=cart) if count is None else count
    if request.session.get(SESSION_CART_COUNT) != count:  # an unchanged session is not saved again
        request.session[SESSION_CART_COUNT] = count
    return count


def cart_merge_at_login(request: HttpRequest, user: User) -> None:
    """Called when someone signs in: the guest cart of this browser joins the
    user's cart (quantities add up within stock), with a message saying so."""
    cart_id = request.session.pop(SESSION_CART_ID, None)
    guest = guest_cart_get(cart_id=cart_id) if cart_id else None
    if guest is None:
        cart_count_remember(request, Cart.objects.filter(user=user).first())
        return
    own, result = cart_join_guest(guest=guest, user=user)
    cart_count_remember(request, own)
    if result is None:
        return
    if result.added:
        messages.info(
            request,
            ngettext(
                "We added %(count)d item from before you signed in to your cart.",
                "We added %(count)d items from before you signed in to your cart.",
                result.added,
            )
            % {"count": result.added},
        )
    for note in result.notes:
        messages.warning(request, note)
    if not result.added and not result.notes:
        messages.info(request, _("Your cart is as you left it."))


# --- Coming back by a link --------------------------------------------------------------

RESTORE_SALT = "cart.restore"
RESTORE_MAX_AGE = timedelta(days=14)


def cart_restore_token(*, cart: Cart) -> str:
    """What a reminder's link carries: the cart, signed; it expires."""
    return signing.dumps(cart.pk, salt=RESTORE_SALT)


def cart_restore(request: HttpRequest, token: str) -> str:
    """The visitor follows a reminder's link to ``token``'s cart. A guest
    cart becomes this browser's (joined by the cart the browser had, if any);
    a user's cart needs that user signed in. Returns what happened: "restored",
    "sign_in" (the cart is a user's: sign in to see it) or "expired" (the
    link is bad, too old, or its cart is gone)."""
    try:
        cart_id = signing.loads(token, salt=RESTORE_SALT, max_age=RESTORE_MAX_AGE)
    except signing.BadSignature:
        return "expired"
    cart = Cart.objects.filter(pk=cart_id).first()
    if cart is None:
        return "expired"
    if cart.user_id is not None:
        return "restored" if request.user.is_authenticated and request.user.pk == cart.user_id else "sign_in"
    if request.user.is_authenticated:  # their own cart takes the guest cart's lines
        cart_merge(source=cart, target=cart_for_request_or_new(request))
        return "restored"
    current = cart_for_request(request)
    if current is not None and current.pk != cart.pk:
        cart_merge(source=current, target=cart)
    request.session[SESSION_CART_ID] = cart.pk
    cart_count_remember(request, cart)
    return "restored"
