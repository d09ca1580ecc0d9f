"""The questions about wishlists: a person's lists, one list with what its
page shows (in a constant number of queries), a shared list, and what the
hearts on a page show as chosen."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Prefetch, QuerySet

from catalog.models import ProductOptionValue, Variant
from catalog.selectors import product_card_images
from wishlists.models import Wishlist, WishlistItem
from wishlists.services import price_now

SORTS = ("added", "price")


def wishlists_of(*, user: AbstractBaseUser) -> QuerySet[Wishlist]:
    """The user's lists, "Favourites" first, each with its item count."""
    return Wishlist.objects.filter(user_id=user.pk).annotate(item_count=Count("items"))


def wishlist_get_for_owner(*, pk: int, user: AbstractBaseUser | None, guest_id: int | None) -> Wishlist:
    """The person's own list: a user's, or this session's guest favourites;
    anyone else's is ``Wishlist.DoesNotExist`` (a 404)."""
    if user is not None and user.is_authenticated:
        return Wishlist.objects.get(pk=pk, user_id=user.pk)
    if guest_id is None or pk != guest_id:
        raise Wishlist.DoesNotExist
    return Wishlist.objects.get(pk=pk, user__isnull=True)


def wishlist_get_shared(*, token: str) -> Wishlist:
    """A list shared by its link (one revoked is ``Wishlist.DoesNotExist``)."""
    if not token or len(token) > 64:
        raise Wishlist.DoesNotExist
    return Wishlist.objects.select_related("user").get(share_token=token)


@dataclass(frozen=True)
class ItemRow:
    """An item as its list page shows it: the current price (and sale
    price), whether it can be bought now, and what it is called."""

    item: WishlistItem
    price: Decimal | None  # the regular price now
    sale_price: Decimal | None  # a running promotion's, when lower
    available: int  # units that can be bought now (a product: across its variants)
    sold: bool  # still sold (active product and variant)
    label: str  # the variant's options, "M / Red"

    @property
    def effective_price(self) -> Decimal | None:
        return price_now(product=self.item.product, variant=self.item.variant)


def _label(variant: Variant | None) -> str:
    if variant is None:
        return ""
    values = sorted(variant.option_values.all(), key=lambda value: (value.option.position, value.option.pk))
    return " / ".join(value.value for value in values)


def wishlist_items(*, wishlist: Wishlist, sort: str = "added") -> list[ItemRow]:
    """The list's items in five queries however many: the items with their
    products, brands and variants; the variants' options; the products'
    active variants (stock); their first images."""
    items = list(
        wishlist.items.select_related("product__brand", "variant")
        .prefetch_related(
            Prefetch("variant__option_values", queryset=ProductOptionValue.objects.select_related("option")),
            Prefetch(
                "product__variants",
                queryset=Variant.objects.filter(is_active=True),
                to_attr="active_variants",
            ),
            Prefetch("product__images", queryset=product_card_images().queryset, to_attr="card_images"),
        )
        .order_by("-added_at", "-pk")
    )
    rows = []
    for item in items:
        product, variant = item.product, item.variant
        sold = product.is_active and (variant is None or variant.is_active)
        price: Decimal | None
        if variant is not None:
            price, sale, available = variant.price, variant.sale_price, max(variant.stock_available, 0)
        else:
            price, sale = product.price_min, product.sale_price_min
            available = sum(max(v.stock_available, 0) for v in product.active_variants)  # type: ignore[attr-defined]
        rows.append(
            ItemRow(
                item=item,
                price=price,
                sale_price=sale if sale is not None and price is not None and sale < price else None,
                available=available if sold else 0,
                sold=sold,
                label=_label(variant),
            )
        )
    if sort == "price":
        rows.sort(key=lambda row: (row.effective_price is None, row.effective_price or 0))
    return rows


@dataclass(frozen=True)
class Hearts:
    """What a page's hearts show as chosen: products with any item in the
    person's favourites, and the variants chosen on their own."""

    products: frozenset[int] = frozenset()
    variants: frozenset[int] = frozenset()


def favourites_hearts(*, wishlist_id: int | None = None, user: AbstractBaseUser | None = None) -> Hearts:
    """The hearts of a user's favourites or of a guest's list, in one query
    (none without either)."""
    if user is not None and user.is_authenticated:
        items = WishlistItem.objects.filter(wishlist__user_id=user.pk, wishlist__is_default=True)
    elif wishlist_id is not None:
        items = WishlistItem.objects.filter(wishlist_id=wishlist_id, wishlist__user__isnull=True)
    else:
        return Hearts()
    pairs = list(items.values_list("product_id", "variant_id"))
    return Hearts(
        products=frozenset(product for product, _variant in pairs),
        variants=frozenset(variant for _product, variant in pairs if variant is not None),
    )
