"""What a personal access token may do. A token holds some of these; a
request signed in through the shop's own pages (a session) acts as the
person and holds them all. Staff scopes need the staff member's Django
permissions as well: a scope narrows what a token may do, never widens what
its owner may."""

from django.utils.translation import gettext_lazy as _

READ = "read"
CART_WRITE = "cart:write"
ORDERS_WRITE = "orders:write"
ACCOUNT_WRITE = "account:write"
STAFF_ORDERS = "staff:orders"
STAFF_CATALOG = "staff:catalog"
STAFF_ANALYTICS = "staff:analytics"

SCOPES = {
    READ: _("Read your account: profile, addresses, cart, orders, wishlists, reviews, notifications"),
    CART_WRITE: _("Change your cart and checkout (addresses, shipping, promo codes)"),
    ORDERS_WRITE: _("Place and pay orders, cancel them, ask for returns"),
    ACCOUNT_WRITE: _("Change your profile, addresses, wishlists, reviews and notifications"),
    STAFF_ORDERS: _("Staff: orders, shipments, refunds and returns"),
    STAFF_CATALOG: _("Staff: products, prices and stock"),
    STAFF_ANALYTICS: _("Staff: the analytics figures"),
}
STAFF_SCOPES = frozenset({STAFF_ORDERS, STAFF_CATALOG, STAFF_ANALYTICS})
