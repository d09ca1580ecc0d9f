"""The verbs of wishlists: the heart (favourites), named lists, items (note,
quantity, move, remove), sharing by link, moving items to the cart, and a
guest's favourites joining the account at sign-in. Each raises
``WishlistError`` with a message for the shopper and changes nothing when it
refuses.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cart.models import Cart
from cart.services import CartError, cart_line_add
from catalog.models import Product, Variant
from wishlists.models import NAME_MAX, StockAlert, Wishlist, WishlistItem

QUANTITY_MAX = 99
LISTS_MAX = 50  # lists a person may have
ITEMS_MAX = 500  # items a list may hold
GUEST_KEEP = timedelta(days=60)  # a guest's favourites untouched this long go


class WishlistError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _name_clean(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise WishlistError(_("Give the list a name."))
    if len(name) > NAME_MAX:
        raise WishlistError(_("Keep the name to %(max)d characters.") % {"max": NAME_MAX})
    return name


def price_now(*, product: Product, variant: Variant | None) -> Decimal | None:
    """What the item costs now: the variant's (or, for a product, its
    lowest) price, a running promotion's sale price first."""
    if variant is not None:
        return variant.sale_price if variant.sale_price is not None else variant.price
    return product.sale_price_min if product.sale_price_min is not None else product.price_min


# --- Lists -------------------------------------------------------------------------------


def favourites_get_or_create(*, user: AbstractBaseUser | None) -> Wishlist:
    """The user's "Favourites" (a guest's is made by ``wishlists.session``)."""
    if user is None:
        return Wishlist.objects.create(name=_("Favourites"), is_default=True)
    try:
        with transaction.atomic():
            wishlist, _created = Wishlist.objects.get_or_create(
                user_id=user.pk, is_default=True, defaults={"name": _("Favourites")}
            )
    except IntegrityError:  # made at the same moment by another request
        wishlist = Wishlist.objects.get(user_id=user.pk, is_default=True)
    return wishlist


def wishlist_create(*, user: AbstractBaseUser, name: str) -> Wishlist:
    name = _name_clean(name)
    if Wishlist.objects.filter(user_id=user.pk).count() >= LISTS_MAX:
        raise WishlistError(_("You have %(max)d lists; delete one first.") % {"max": LISTS_MAX})
    return Wishlist.objects.create(user_id=user.pk, name=name)


def wishlist_rename(*, wishlist: Wishlist, name: str) -> Wishlist:
    wishlist.name = _name_clean(name)
    wishlist.save(update_fields=["name", "updated_at"])
    return wishlist


def wishlist_delete(*, wishlist: Wishlist) -> None:
    """Delete a list and its items; "Favourites" stays (it is only emptied)."""
    if wishlist.is_default:
        wishlist.items.all().delete()
        wishlist.share_token = None
        wishlist.save(update_fields=["share_token", "updated_at"])
        return
    wishlist.delete()


def wishlist_share(*, wishlist: Wishlist) -> Wishlist:
    """Share the list by an unguessable link (a new one each time it is
    shared again after a revocation)."""
    if not wishlist.share_token:
        wishlist.share_token = secrets.token_urlsafe(24)
        wishlist.save(update_fields=["share_token", "updated_at"])
    return wishlist


def wishlist_unshare(*, wishlist: Wishlist) -> Wishlist:
    """Revoke the link: it answers 404 from now on."""
    wishlist.share_token = None
    wishlist.save(update_fields=["share_token", "updated_at"])
    return wishlist


# --- Items -------------------------------------------------------------------------------


def _item_filter(*, product: Product, variant: Variant | None) -> Q:
    return Q(variant=variant) if variant is not None else Q(product=product, variant__isnull=True)


def _sellable(product: Product, variant: Variant | None) -> None:
    if variant is not None and variant.product_id != product.pk:
        raise WishlistError(_("Choose a variant of this product."))
    if not product.is_active or (variant is not None and not variant.is_active):
        raise WishlistError(_("%(title)s is no longer sold.") % {"title": product.title})


def item_target(*, product_id: int, variant_id: int | None = None) -> tuple[Product, Variant | None]:
    """The product (and variant) a form names, or ``WishlistError``."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise WishlistError(_("This product does not exist."))
    variant = None
    if variant_id is not None:
        variant = Variant.objects.filter(pk=variant_id, product=product).first()
        if variant is None:
            raise WishlistError(_("Choose a variant of this product."))
    return product, variant


@transaction.atomic
def favourite_toggle(*, wishlist: Wishlist, product: Product, variant: Variant | None = None) -> bool:
    """The heart: put the product (or the chosen variant) in the list, or
    take it out when it is there. Returns whether it is in the list now."""
    existing = wishlist.items.filter(_item_filter(product=product, variant=variant))
    if existing.delete()[0]:
        return False
    item_add(wishlist=wishlist, product=product, variant=variant)
    return True


@transaction.atomic
def item_add(
    *, wishlist: Wishlist, product: Product, variant: Variant | None = None, quantity: int = 1
) -> WishlistItem:
    """Add an item (once: adding it again returns the one there)."""
    _sellable(product, variant)
    existing = wishlist.items.filter(_item_filter(product=product, variant=variant)).first()
    if existing is not None:
        return existing
    if wishlist.items.count() >= ITEMS_MAX:
        raise WishlistError(_("A list holds at most %(max)d items.") % {"max": ITEMS_MAX})
    try:
        with transaction.atomic():
            item = WishlistItem.objects.create(
                wishlist=wishlist,
                product=product,
                variant=variant,
                quantity=quantity,
                price_seen=price_now(product=product, variant=variant),
            )
    except IntegrityError:  # the same heart pressed twice at once
        item = wishlist.items.get(_item_filter(product=product, variant=variant))
    Wishlist.objects.filter(pk=wishlist.pk).update(updated_at=item.added_at)
    return item


def item_update(*, item: WishlistItem, note: str, quantity: int) -> WishlistItem:
    note = note.strip()
    if len(note) > 500:
        raise WishlistError(_("Keep the note to 500 characters."))
    if not 1 <= quantity <= QUANTITY_MAX:
        raise WishlistError(_("The quantity must be from 1 to %(max)d.") % {"max": QUANTITY_MAX})
    item.note, item.quantity = note, quantity
    item.save(update_fields=["note", "quantity"])
    return item


def item_remove(*, item: WishlistItem) -> None:
    item.delete()


@transaction.atomic
def item_move(*, item: WishlistItem, to: Wishlist) -> WishlistItem:
    """Move an item to another of the person's lists (where it may be already)."""
    if to.pk == item.wishlist_id:
        return item
    if to.user_id is None or to.user_id != item.wishlist.user_id:
        raise WishlistError(_("Choose one of your lists."))
    there = to.items.filter(_item_filter(product=item.product, variant=item.variant)).first()
    if there is not None:
        item.delete()
        return there
    item.wishlist = to
    item.save(update_fields=["wishlist"])
    return item


# --- To the cart ---------------------------------------------------------------------------


@dataclass
class ToCart:
    added: list[str] = field(default_factory=list)  # titles
    problems: list[str] = field(default_factory=list)  # why an item did not go, for the shopper


def items_to_cart(*, items: Sequence[WishlistItem], cart: Cart, remove: bool = False) -> ToCart:
    """Put items in the cart at their wanted quantity, each on its own (one
    out of stock does not keep the others out); with ``remove``, the items
    that went leave the list. An item of a product with several variants
    and none chosen cannot go: the shopper picks one on its page."""
    result = ToCart()
    for item in items:
        variant = item.variant
        if variant is None:
            active = [v for v in item.product.variants.all() if v.is_active]
            if len(active) != 1:
                result.problems.append(
                    _("%(title)s: choose a size or colour on its page first.") % {"title": item.product.title}
                )
                continue
            variant = active[0]
        try:
            cart_line_add(cart=cart, variant_id=variant.pk, quantity=item.quantity)
        except CartError as error:
            result.problems.append(error.message)
            continue
        result.added.append(item.product.title)
        if remove:
            item.delete()
    return result


# --- A guest's favourites at sign-in ------------------------------------------------------


@transaction.atomic
def wishlist_merge(*, source: Wishlist, user: AbstractBaseUser) -> int:
    """A guest's favourites join the user's; returns how many items were new."""
    target = favourites_get_or_create(user=user)
    added = 0
    for item in source.items.select_related("product", "variant"):
        if not target.items.filter(_item_filter(product=item.product, variant=item.variant)).exists():
            item.wishlist = target
            item.save(update_fields=["wishlist"])
            added += 1
    source.delete()
    return added


# --- Personal data ---------------------------------------------------------------------------


def wishlists_export(user: AbstractBaseUser) -> dict[str, object]:
    """The person's lists with their items, and their back-in-stock alerts."""
    lists = [
        {
            "name": wishlist.name,
            "shared": bool(wishlist.share_token),
            "items": [
                {"product": item.product.title, "variant": item.variant.sku if item.variant else None,
                 "note": item.note, "quantity": item.quantity, "added_at": item.added_at.isoformat()}
                for item in wishlist.items.all()
            ],
        }
        for wishlist in Wishlist.objects.filter(user_id=user.pk).prefetch_related(
            "items__product", "items__variant"
        )
    ]  # fmt: skip
    alerts = [
        {"variant": sku, "email": email, "asked_at": created.isoformat(),
         "told_at": told.isoformat() if told else None}
        for sku, email, created, told in StockAlert.objects.filter(user_id=user.pk)
        .order_by("pk")
        .values_list("variant__sku", "email", "created_at", "notified_at")
    ]  # fmt: skip
    return {"lists": lists, "back_in_stock_alerts": alerts}


def wishlists_erase(user: AbstractBaseUser, *, emails: Iterable[str] = ()) -> None:
    """The person's lists and the back-in-stock alerts of their account and addresses."""
    Wishlist.objects.filter(user_id=user.pk).delete()
    addresses = [email.lower() for email in emails]
    StockAlert.objects.filter(Q(user_id=user.pk) | Q(email__in=addresses)).delete()


def wishlists_guests_purge(*, older_than: timedelta = GUEST_KEEP) -> int:
    """Delete guests' favourites untouched for ``older_than`` (their session
    is long gone); returns how many lists."""
    stale = Wishlist.objects.filter(user__isnull=True, updated_at__lt=timezone.now() - older_than)
    deleted, _kinds = stale.delete()
    return deleted
