"""Stock: the verbs that change a variant's on-hand and reserved units.

Every function here runs in one transaction, locks the variants it touches
through ``catalog.locks`` (always in primary-key order, so two checkouts never
deadlock), changes them with conditional ``UPDATE``s on ``F()`` expressions,
and writes one ``StockMovement`` per variant changed, so that a variant's
ledger always sums to its row. The CHECK constraints on ``Variant`` are the
last line of defence: a bug here fails the transaction, it never sells a unit
twice.

Checkout uses them in this order: ``stock_reserve`` when the shopper starts
paying, then ``stock_commit`` when the payment is confirmed, or
``stock_release`` when the reservation expires or the checkout is cancelled.
"""

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import reduce

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import Combinable
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.locks import products_lock, variants_lock
from catalog.models import Product, StockMovement, Variant
from catalog.services import product_listing_refresh
from notifications.services import notification_queue
from shop.sites import shop_url

Reason = StockMovement.Reason
# The reasons a person may give for changing on-hand stock by hand; the other
# reasons belong to checkout.
ADJUST_REASONS = (Reason.RESTOCK, Reason.ADJUSTMENT, Reason.RETURN)

# {variant id: quantity} or [(variant or variant id, quantity), ...]
StockLines = Mapping[int, int] | Iterable[tuple[Variant | int, int]]


class StockError(ValueError):
    """A stock change that cannot be made; the message names the SKU."""


@dataclass(frozen=True)
class Shortage:
    sku: str
    requested: int
    available: int


class InsufficientStock(StockError):
    """Not enough available units for one or more variants of a reservation.
    ``shortages`` lists each short variant with what is available."""

    def __init__(self, shortages: list[Shortage]) -> None:
        self.shortages = shortages
        super().__init__(
            " ".join(
                _("Not enough stock of %(sku)s: %(requested)d requested, %(available)d available.")
                % {"sku": s.sku, "requested": s.requested, "available": s.available}
                for s in shortages
            )
        )


@transaction.atomic
def stock_adjust(
    *,
    variant: Variant,
    quantity_change: int,
    reason: str,
    note: str,
    by: AbstractBaseUser | None = None,
    reference: str = "",
) -> StockMovement:
    """Change a variant's on-hand stock by hand: a delivery arrived (restock),
    a shopper's return was put back on the shelf (return), or a count found a
    difference (adjustment, either sign). On-hand stock never goes below zero
    nor below what is reserved for checkouts in progress."""
    if reason not in ADJUST_REASONS:
        raise StockError(_("%(reason)s is not a reason for a stock adjustment.") % {"reason": reason})
    _quantity_check(quantity_change, sku=variant.sku, allow_negative=reason == Reason.ADJUSTMENT)
    locked = _lock_all({variant.pk: quantity_change})
    available_before = _available(locked)
    row = locked[variant.pk]
    updated = Variant.objects.filter(
        pk=row.pk, stock_on_hand__gte=F("stock_reserved") - quantity_change
    ).update(stock_on_hand=F("stock_on_hand") + quantity_change)
    if updated != 1:
        raise StockError(
            _(
                "Cannot change the stock of %(sku)s by %(change)+d: %(on_hand)d on hand and "
                "%(reserved)d reserved; on-hand stock may not go below zero or below what is reserved."
            )
            % {
                "sku": row.sku,
                "change": quantity_change,
                "on_hand": row.stock_on_hand,
                "reserved": row.stock_reserved,
            }
        )
    movement = _movement(
        row, reason=reason, on_hand_change=quantity_change, note=note, reference=reference, by=by
    )
    movement.save()
    _after_change(locked, available_before)
    variant.stock_on_hand, variant.stock_reserved = row.stock_on_hand, row.stock_reserved
    return movement


@transaction.atomic
def stock_reserve(
    *, lines: StockLines, reference: str, by: AbstractBaseUser | None = None
) -> list[StockMovement]:
    """Hold units for a checkout, all lines or none: when any variant has
    fewer available units (on hand minus reserved) than asked, nothing is
    reserved and ``InsufficientStock`` names every short SKU. A variant no
    longer sold (it or its product inactive) has none available."""
    quantities = _lines_normalise(lines)
    locked = _lock_all(quantities)
    available_before = _available(locked)
    withdrawn = set(
        Product.objects.filter(
            pk__in={row.product_id for row in locked.values()}, is_active=False
        ).values_list("pk", flat=True)
    )
    sellable = {
        pk: row.stock_available if row.is_active and row.product_id not in withdrawn else 0
        for pk, row in locked.items()
    }
    shortages = [
        Shortage(sku=locked[pk].sku, requested=quantity, available=sellable[pk])
        for pk, quantity in quantities.items()
        if sellable[pk] < quantity
    ]
    if shortages:
        raise InsufficientStock(shortages)
    updated = _variants_update(
        quantities,
        guard=lambda quantity: Q(stock_on_hand__gte=F("stock_reserved") + quantity),
        stock_reserved=F("stock_reserved") + _per_variant(quantities),
    )
    if updated != len(quantities):  # Only if something changed a row without the lock.
        raise InsufficientStock(
            [
                Shortage(sku=locked[pk].sku, requested=quantity, available=locked[pk].stock_available)
                for pk, quantity in quantities.items()
            ]
        )
    movements = [
        _movement(locked[pk], reason=Reason.RESERVATION, reserved_change=quantity, reference=reference, by=by)
        for pk, quantity in quantities.items()
    ]
    StockMovement.objects.bulk_create(movements)
    _after_change(locked, available_before)
    return movements


@transaction.atomic
def stock_release(
    *, lines: StockLines, reference: str, by: AbstractBaseUser | None = None
) -> list[StockMovement]:
    """Give reserved units back to the shelf: the checkout expired or was
    cancelled before payment."""
    quantities = _lines_normalise(lines)
    locked = _lock_all(quantities)
    available_before = _available(locked)
    for pk, quantity in quantities.items():
        row = locked[pk]
        if row.stock_reserved < quantity:
            raise StockError(
                _("Cannot release %(quantity)d of %(sku)s: only %(reserved)d reserved.")
                % {"quantity": quantity, "sku": row.sku, "reserved": row.stock_reserved}
            )
    updated = _variants_update(
        quantities,
        guard=lambda quantity: Q(stock_reserved__gte=quantity),
        stock_reserved=F("stock_reserved") - _per_variant(quantities),
    )
    if updated != len(quantities):  # Only if something changed a row without the lock.
        raise StockError(_("The stock changed meanwhile; please try again."))
    movements = [
        _movement(
            locked[pk],
            reason=Reason.RESERVATION_RELEASED,
            reserved_change=-quantity,
            reference=reference,
            by=by,
        )
        for pk, quantity in quantities.items()
    ]
    StockMovement.objects.bulk_create(movements)
    _after_change(locked, available_before)
    return movements


@transaction.atomic
def stock_commit(
    *, lines: StockLines, reference: str, by: AbstractBaseUser | None = None
) -> list[StockMovement]:
    """Turn reserved units into a sale once payment is confirmed: they leave
    both the reserved and the on-hand stock, and count towards the product's
    ``units_sold`` (the best-selling sort)."""
    quantities = _lines_normalise(lines)
    locked = _lock_all(quantities)
    available_before = _available(locked)
    for pk, quantity in quantities.items():
        row = locked[pk]
        if row.stock_reserved < quantity:
            raise StockError(
                _("Cannot sell %(quantity)d of %(sku)s: only %(reserved)d reserved.")
                % {"quantity": quantity, "sku": row.sku, "reserved": row.stock_reserved}
            )
    # reserved <= on hand is a CHECK constraint, so on hand >= quantity too.
    updated = _variants_update(
        quantities,
        guard=lambda quantity: Q(stock_reserved__gte=quantity),
        stock_reserved=F("stock_reserved") - _per_variant(quantities),
        stock_on_hand=F("stock_on_hand") - _per_variant(quantities),
    )
    if updated != len(quantities):  # Only if something changed a row without the lock.
        raise StockError(_("The stock changed meanwhile; please try again."))
    movements = []
    sold: dict[int, int] = defaultdict(int)
    for pk, quantity in quantities.items():
        row = locked[pk]
        movements.append(
            _movement(
                row,
                reason=Reason.SALE,
                on_hand_change=-quantity,
                reserved_change=-quantity,
                reference=reference,
                by=by,
            )
        )
        sold[row.product_id] += quantity
    StockMovement.objects.bulk_create(movements)
    _after_change(locked, available_before, units_sold=sold)
    return movements


def stock_low_alert_queue(*, variants: Iterable[Variant]) -> int:
    """Owe each active staff member the low-stock email of each of these
    variants (locked, just fallen to their threshold), in the stock change's
    transaction: one per fall, sent after commit by the outbox. Returns how
    many were owed."""
    staff = list(
        get_user_model()
        ._default_manager.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("email")
        .only("pk", "email")
    )
    fell_at = timezone.now().strftime("%Y%m%dT%H%M%S.%f")
    owed = 0
    for variant in variants:
        values = {
            "sku": variant.sku,
            "title": variant.product.title,
            "available": variant.stock_available,
            "on_hand": variant.stock_on_hand,
            "reserved": variant.stock_reserved,
            "threshold": variant.low_stock_threshold,
            "url": shop_url(reverse("admin:catalog_variant_change", args=[variant.pk])),
        }
        for person in staff:
            notification_queue(
                kind="catalog.low_stock",
                key=f"{variant.pk}:{fell_at}:{person.pk}",
                context=values,
                params=values,
                email=person.email,
            )
            owed += 1
    return owed


# --- Internals ----------------------------------------------------------------


def _quantity_check(quantity: object, *, sku: str, allow_negative: bool = False) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise StockError(_("The quantity of %(sku)s must be a whole number.") % {"sku": sku})
    if quantity == 0 or (quantity < 0 and not allow_negative):
        raise StockError(_("The quantity of %(sku)s must be above zero.") % {"sku": sku})


def _lines_normalise(lines: StockLines) -> dict[int, int]:
    """{variant id: total quantity}, ordered by id; repeated variants add up."""
    pairs: Iterable[tuple[Variant | int, int]] = lines.items() if isinstance(lines, Mapping) else lines
    quantities: dict[int, int] = defaultdict(int)
    for variant, quantity in pairs:
        pk = variant.pk if isinstance(variant, Variant) else variant
        _quantity_check(quantity, sku=variant.sku if isinstance(variant, Variant) else f"#{pk}")
        quantities[pk] += quantity
    if not quantities:
        raise StockError(_("No stock lines given."))
    return dict(sorted(quantities.items()))


def _per_variant(quantities: Mapping[int, int]) -> Case:
    """Each variant's own quantity, inside one UPDATE of all of them."""
    return Case(*(When(pk=pk, then=Value(q)) for pk, q in quantities.items()), output_field=IntegerField())


def _variants_update(
    quantities: Mapping[int, int], *, guard: Callable[[int], Q], **changes: Combinable
) -> int:
    """One conditional UPDATE of every (locked) variant, so a checkout of ten
    lines costs what one of one line does; each row only if ``guard(its
    quantity)`` holds. Returns how many rows changed."""
    condition = reduce(operator.or_, (Q(pk=pk) & guard(q) for pk, q in quantities.items()))
    return Variant.objects.filter(condition).update(**changes)


def _lock_all(quantities: Mapping[int, int]) -> dict[int, Variant]:
    locked = variants_lock(variant_ids=quantities)
    missing = sorted(set(quantities) - set(locked))
    if missing:
        raise StockError(_("No variant with id %(ids)s.") % {"ids": ", ".join(map(str, missing))})
    return locked


def _movement(
    row: Variant,
    *,
    reason: str,
    on_hand_change: int = 0,
    reserved_change: int = 0,
    note: str = "",
    reference: str = "",
    by: AbstractBaseUser | None = None,
) -> StockMovement:
    """The ledger row of one change to a locked variant, whose in-memory
    stock it moves on to the new values, as the UPDATE did in the database."""
    row.stock_on_hand += on_hand_change
    row.stock_reserved += reserved_change
    return StockMovement(
        variant=row,
        reason=reason,
        on_hand_change=on_hand_change,
        reserved_change=reserved_change,
        on_hand_after=row.stock_on_hand,
        reserved_after=row.stock_reserved,
        note=note,
        reference=reference,
        created_by_id=by.pk if by is not None else None,
    )


def _available(locked: Mapping[int, Variant]) -> dict[int, int]:
    return {pk: row.stock_available for pk, row in locked.items()}


def _after_change(
    locked: Mapping[int, Variant],
    available_before: Mapping[int, int],
    *,
    units_sold: Mapping[int, int] | None = None,
) -> None:
    """Keep the products' sales counts and in-stock flags true and, after
    commit, alert staff about each variant whose available stock just fell to
    its threshold or below (once per crossing, not on every change while it
    stays low)."""
    product_ids = {row.product_id for row in locked.values()}
    products_lock(product_ids=product_ids)
    for product_id, units in sorted((units_sold or {}).items()):
        Product.objects.filter(pk=product_id).update(units_sold=F("units_sold") + units)
    product_listing_refresh(product_ids=product_ids)
    fell = [
        pk
        for pk, row in locked.items()
        if available_before[pk] > row.low_stock_threshold >= row.stock_available
    ]
    if fell:
        stock_low_alert_queue(variants=[locked[pk] for pk in sorted(fell)])
