"""The cart's verbs: add, change, remove, empty, apply and remove codes,
merge a guest's cart into a user's, prune lines that dropped out, purge old
guest carts. Each raises ``CartError`` with a message for the shopper and
changes nothing when it refuses.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from cart.models import Cart, CartLine, TaxRate
from cart.pricing import price
from cart.selectors import pricing_line, tax_rates_changed
from catalog.models import Variant
from promotions.selectors import promo_code_offer
from promotions.values import PromoContext, PromoRefused


class CartError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class MergeResult:
    added: int  # units moved into the user's cart
    notes: tuple[str, ...]  # what could not be moved in full, and why


def cart_create(*, user: User | None = None) -> Cart:
    return Cart.objects.create(user=user)


@transaction.atomic
def cart_line_add(*, cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Add ``quantity`` units (on top of any already in the cart)."""
    variant = _variant_for_sale(variant_id)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    in_cart = line.quantity if line else 0
    _quantity_check(variant, quantity, in_cart=in_cart)
    if line is None:
        title = _line_title(variant)
        line = CartLine(cart=cart, variant=variant, title=title, price_when_added=variant.price)
    line.quantity = in_cart + quantity
    try:
        # No savepoint (two round trips): a failed insert fails this whole
        # add, and the CartError below rolls the outer block back.
        with transaction.atomic(savepoint=False):
            line.save()
    except IntegrityError:  # the same variant added at the same moment elsewhere
        raise CartError(_("Your cart changed meanwhile; please try again.")) from None
    _touch(cart)
    return line


@transaction.atomic
def cart_line_update(*, cart: Cart, line_id: int, quantity: int) -> CartLine:
    """Set a line's quantity; the shopper has now seen its current price."""
    line = CartLine.objects.select_related("variant__product").get(cart=cart, pk=line_id)
    if line.variant is None:
        raise CartError(_("%(title)s is no longer available.") % {"title": line.title})
    variant = _variant_for_sale(line.variant.pk)
    _quantity_check(variant, quantity, in_cart=0)
    line.quantity = quantity
    line.price_when_added = variant.price
    line.save(update_fields=["quantity", "price_when_added"])
    _touch(cart)
    return line


@transaction.atomic
def cart_line_remove(*, cart: Cart, line_id: int) -> str:
    """Remove a line; returns its title for the message."""
    line = CartLine.objects.get(cart=cart, pk=line_id)
    line.delete()
    _touch(cart)
    return line.title


@transaction.atomic
def cart_empty(*, cart: Cart) -> None:
    cart.lines.all().delete()
    cart.promo_codes = []
    cart.save(update_fields=["promo_codes", "updated_at"])


@transaction.atomic
def cart_promo_apply(*, cart: Cart, code: str, context: PromoContext) -> str:
    """Apply a code after the promotions app and the pricing both accept it;
    returns the code as stored. ``PromoRefused`` says why not."""
    code = code.strip()
    if not code:
        raise PromoRefused("unknown", _("Enter a promo code."))
    offer = promo_code_offer(code=code, context=context)
    if offer.code in cart.promo_codes:
        raise CartError(_("%(code)s is already applied.") % {"code": offer.code})
    existing = []
    for held in cart.promo_codes:
        try:
            existing.append(promo_code_offer(code=held, context=context))
        except PromoRefused:
            continue  # a held code that lapsed does not block a new one
    lines = [pricing_line(line) for line in _sellable_lines(cart)]
    if not lines:
        raise CartError(_("Add something to your cart before applying a code."))
    breakdown = price(lines=lines, offers=[*existing, offer], rates={}, prices_include_tax=True)
    for refusal in breakdown.refused:
        if refusal.code == offer.code:
            raise PromoRefused(refusal.reason, refusal.message, shortfall=refusal.shortfall)
    cart.promo_codes = [*cart.promo_codes, offer.code]
    cart.save(update_fields=["promo_codes", "updated_at"])
    return offer.code


@transaction.atomic
def cart_promo_remove(*, cart: Cart, code: str) -> None:
    wanted = code.strip().upper()
    kept = [held for held in cart.promo_codes if held.upper() != wanted]
    if len(kept) == len(cart.promo_codes):
        raise CartError(_("%(code)s is not applied to your cart.") % {"code": code})
    cart.promo_codes = kept
    cart.save(update_fields=["promo_codes", "updated_at"])


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> MergeResult:
    """Move a guest cart's lines into a user's cart: quantities add up,
    capped by stock and the per-order maximum; the guest cart is deleted."""
    notes: list[str] = []
    added = 0
    existing = {line.variant_id: line for line in target.lines.all()}
    for line in source.lines.select_related("variant__product"):
        variant = line.variant
        if variant is None or not (variant.is_active and variant.product.is_active):
            notes.append(_("%(title)s is no longer available.") % {"title": line.title})
            continue
        held = existing.get(variant.pk)
        in_cart = held.quantity if held else 0
        room = max(0, min(variant.stock_available, settings.CART_MAX_QUANTITY) - in_cart)
        moved = min(line.quantity, room)
        if moved < line.quantity:
            notes.append(
                ngettext(
                    "Only %(count)d more of %(title)s could be added (stock or per-order limit).",
                    "Only %(count)d more of %(title)s could be added (stock or per-order limit).",
                    moved,
                )
                % {"count": moved, "title": line.title}
            )
        if not moved:
            continue
        if held:
            held.quantity += moved
            held.save(update_fields=["quantity"])
        else:
            CartLine.objects.create(
                cart=target,
                variant=variant,
                title=line.title,
                quantity=moved,
                price_when_added=line.price_when_added,
            )
        added += moved
    new_codes = [code for code in source.promo_codes if code not in target.promo_codes]
    target.promo_codes = [*target.promo_codes, *new_codes]
    target.save(update_fields=["promo_codes", "updated_at"])
    source.delete()
    return MergeResult(added=added, notes=tuple(notes))


@transaction.atomic
def cart_adopt(*, cart: Cart, user: User) -> Cart:
    """A guest's cart becomes the user's when the user had none."""
    cart.user = user
    cart.save(update_fields=["user", "updated_at"])
    return cart


@transaction.atomic
def cart_join_guest(*, guest: Cart, user: User) -> tuple[Cart | None, MergeResult | None]:
    """Someone signed in with a guest cart: it becomes theirs when they had
    none, is dropped when empty, else joins their cart (``cart_merge``; the
    result says what moved). Returns their cart and the merge's result (None
    when nothing was merged). The guest cart is locked first, so that two
    overlapping calls join it once; the second finds it gone."""
    own = Cart.objects.filter(user=user).first()
    locked = Cart.objects.select_for_update().filter(pk=guest.pk, user__isnull=True).first()
    if locked is None:  # joined meanwhile
        return Cart.objects.filter(user=user).first(), None
    if own is None:
        return cart_adopt(cart=locked, user=user), None
    if not locked.lines.exists():
        locked.delete()
        return own, None
    return own, cart_merge(source=locked, target=own)


@transaction.atomic
def cart_prune(*, cart: Cart) -> list[str]:
    """Drop lines whose variant was deleted or taken off sale; returns their
    titles so the page can say so."""
    gone = CartLine.objects.filter(cart=cart).filter(
        Q(variant__isnull=True) | Q(variant__is_active=False) | Q(variant__product__is_active=False)
    )
    titles = list(gone.values_list("title", flat=True))
    if titles:
        CartLine.objects.filter(pk__in=gone.values("pk")).delete()
        _touch(cart)
    return titles


def cart_export(user: User) -> list[dict[str, object]]:
    """The user's cart for "download my data"."""
    lines = CartLine.objects.filter(cart__user=user).order_by("added_at")
    return [
        {"item": line.title, "quantity": line.quantity, "price_when_added": str(line.price_when_added)}
        for line in lines
    ]


def cart_erase(user: User) -> None:
    """Account deletion: the cart goes with the account."""
    Cart.objects.filter(user=user).delete()


def cart_guests_purge(*, older_than: timedelta | None = None) -> int:
    """Delete guest carts untouched for ``older_than`` (the setting by
    default); returns how many went."""
    age = timedelta(days=settings.CART_GUEST_MAX_AGE_DAYS) if older_than is None else older_than
    _deleted, per_model = Cart.objects.filter(user__isnull=True, updated_at__lt=timezone.now() - age).delete()
    return per_model.get(Cart._meta.label, 0)


def tax_rate_save(*, rate: TaxRate) -> TaxRate:
    """Save a rate with its codes in upper case; the cart's cached rate
    tables follow on commit."""
    rate.country = rate.country.strip().upper()
    rate.region = rate.region.strip().upper()
    rate.full_clean()
    rate.save()
    transaction.on_commit(tax_rates_changed)
    return rate


def _sellable_lines(cart: Cart) -> list[CartLine]:
    return list(
        cart.lines.filter(variant__is_active=True, variant__product__is_active=True)
        .select_related("variant__product")
        .prefetch_related("variant__product__categories")
    )


def _variant_for_sale(variant_id: int) -> Variant:
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        raise CartError(_("This product does not exist."))
    if not (variant.is_active and variant.product.is_active):
        raise CartError(_("%(title)s is no longer available.") % {"title": _line_title(variant)})
    return variant


def _quantity_check(variant: Variant, quantity: int, *, in_cart: int) -> None:
    if quantity < 1:
        raise CartError(_("The quantity must be at least 1."))
    wanted = in_cart + quantity
    if wanted > settings.CART_MAX_QUANTITY:
        raise CartError(
            _("You can buy at most %(max)d of one item per order%(held)s.")
            % {
                "max": settings.CART_MAX_QUANTITY,
                "held": _(" (you have %(n)d in your cart)") % {"n": in_cart} if in_cart else "",
            }
        )
    available = variant.stock_available
    if wanted > available:
        if available <= 0:
            raise CartError(_("%(title)s is out of stock.") % {"title": _line_title(variant)})
        raise CartError(
            ngettext(
                "Only %(count)d of %(title)s is in stock%(held)s.",
                "Only %(count)d of %(title)s are in stock%(held)s.",
                available,
            )
            % {
                "count": available,
                "title": _line_title(variant),
                "held": _(" and you have %(n)d in your cart") % {"n": in_cart} if in_cart else "",
            }
        )


def _line_title(variant: Variant) -> str:
    """ "Tee (Red / M)": the product and its options, kept on the line so a
    note can name it after the variant is gone."""
    values = " / ".join(
        value.value for value in variant.option_values.order_by("option__position", "option__pk")
    )
    return f"{variant.product.title} ({values})" if values else variant.product.title


def _touch(cart: Cart) -> None:
    cart.save(update_fields=["updated_at"])
