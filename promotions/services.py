"""The verbs of promotions: save and delete them (keeping caches and sale
prices true), redeem a code at order placement and give the use back when an
unpaid order is cancelled, generate single-use codes, and write the sale
prices product and listing pages show."""

import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Product, Variant
from catalog.page_cache import catalog_generation, catalog_generation_bump
from promotions import locks
from promotions.models import PromoCode, Promotion, Redemption
from promotions.offers import promotion_badge, promotion_offer
from promotions.selectors import (
    GENERATION_KEY,
    Scope,
    code_normalise,
    promo_code_refusal,
    promotions_generation,
    promotions_running,
    scopes_get,
)
from promotions.values import Customer, OfferKind, PromoRefused, RefusalReason, unit_sale_price


class PromotionError(ValueError):
    """A request staff can correct (bad count, prefix or length); the message says how."""


# --- Saving promotions and codes ----------------------------------------------------


def _generation_bump_now() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted: any new value makes the old keys unreachable
        cache.set(GENERATION_KEY, promotions_generation() + 1, timeout=None)


def promotions_generation_bump() -> None:
    """Make the cached automatic offers stale, now and once more after commit
    (an offer list cached in between, from data not yet committed, goes too)."""
    _generation_bump_now()
    transaction.on_commit(_generation_bump_now)


def _sale_prices_refresh_on_commit() -> None:
    promotion_sale_prices_refresh_task.delay_on_commit()


@transaction.atomic
def promotion_save(*, promotion: Promotion) -> Promotion:
    """Save an automatic promotion (the admin saves its scope after this, in
    the same transaction); cached offers go stale and sale prices are
    rewritten once the transaction commits."""
    promotion.save()
    promotions_generation_bump()
    _sale_prices_refresh_on_commit()
    return promotion


@transaction.atomic
def promotions_delete(*, promotions: Iterable[Promotion]) -> int:
    """Delete automatic promotions; their sale prices go after commit."""
    deleted, _by_model = Promotion.objects.filter(pk__in=[p.pk for p in promotions]).delete()
    promotions_generation_bump()
    _sale_prices_refresh_on_commit()
    return deleted


@transaction.atomic
def promo_code_save(*, code: PromoCode) -> PromoCode:
    """Save a promo code, its code trimmed and upper-cased."""
    code.code = code_normalise(code.code)
    code.save()
    return code


# --- Redemption ---------------------------------------------------------------------


@transaction.atomic
def promo_code_redeem(
    *,
    code: str,
    order_reference: str,
    user_id: int | None,
    email: str,
    amount: Decimal,
    order_count: int | None = None,
    orders_counter: Callable[[], int] | None = None,
    now: datetime | None = None,
) -> Redemption:
    """Record that order ``order_reference`` used ``code``; the orders app
    calls it inside order placement's transaction.

    The code's row is locked first, so checks and counter see every earlier
    redemption; validity, the total and per-customer limits and the first
    order rule are checked again (the cart checked them earlier, outside any
    lock) and ``PromoRefused`` says which no longer holds. Calling it again
    for the same order returns the first redemption (also enforced by a
    unique constraint)."""
    locked = locks.promo_code_lock(code=code_normalise(code))
    if locked is None:
        raise PromoRefused(
            RefusalReason.UNKNOWN, _("We don't know the code %(code)s.") % {"code": code_normalise(code)}
        )
    existing = Redemption.objects.filter(code=locked, order_reference=order_reference).first()
    if existing is not None:
        return existing
    customer = Customer(user_id=user_id, email=email, order_count=order_count, orders_counter=orders_counter)
    refusal = promo_code_refusal(code=locked, customer=customer, now=now or timezone.now())
    if refusal is not None:
        raise refusal
    redemption = Redemption.objects.create(
        code=locked,
        order_reference=order_reference,
        user_id=user_id,
        email=email.strip().lower(),
        amount=amount,
    )
    PromoCode.objects.filter(pk=locked.pk).update(times_used=F("times_used") + 1)
    return redemption


@transaction.atomic
def promo_code_redemption_cancel(*, order_reference: str) -> int:
    """Give back the uses of an order that will not be paid (cancelled or
    expired): its redemptions go and the codes' counters come down. Returns
    how many uses were freed; 0 when the order used no code."""
    code_ids = Redemption.objects.filter(order_reference=order_reference).values_list("code_id", flat=True)
    locks.promo_codes_lock(code_ids=list(code_ids))
    redemptions = list(Redemption.objects.filter(order_reference=order_reference))
    for code_id, uses in sorted(Counter(r.code_id for r in redemptions).items()):
        PromoCode.objects.filter(pk=code_id).update(times_used=F("times_used") - uses)
    Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).delete()
    return len(redemptions)


# --- Generating single-use codes ----------------------------------------------------

# No 0/O, 1/I/L: codes are read off paper and typed in.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GENERATE_MAX = 100_000
_GENERATE_BATCH = 500
_COPIED_FIELDS = (
    "name", "kind", "value", "min_subtotal", "stackable", "buy_quantity", "pay_quantity",
    "is_active", "starts_at", "ends_at", "first_order_only",
)  # fmt: skip


def _generate_check(*, count: int, prefix: str, length: int) -> None:
    if not 1 <= count <= GENERATE_MAX:
        raise PromotionError(_("Generate between 1 and %(max)s codes.") % {"max": GENERATE_MAX})
    if not 6 <= length <= 32:
        raise PromotionError(_("The random part is 6 to 32 characters long."))
    if len(prefix) > 20 or not all(char.isascii() and (char.isalnum() or char == "-") for char in prefix):
        raise PromotionError(_("A prefix is up to 20 letters, digits or dashes."))


def _scope_links(codes: list[PromoCode], scope: Scope) -> None:
    relations: list[tuple[Any, str, frozenset[int]]] = [
        (PromoCode.categories.through, "category_id", scope.category_ids),
        (PromoCode.brands.through, "brand_id", scope.brand_ids),
        (PromoCode.products.through, "product_id", scope.product_ids),
    ]
    for through, target, ids in relations:
        if ids:
            rows = [through(promocode_id=code.pk, **{target: pk}) for code in codes for pk in sorted(ids)]
            through.objects.bulk_create(rows, batch_size=1000)


@transaction.atomic
def promo_codes_generate(
    *,
    template: PromoCode,
    count: int,
    prefix: str = "",
    length: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> list[PromoCode]:
    """``count`` new single-use codes (one use in all, by one customer) with
    ``template``'s rules and scope, labelled with one batch name. Codes are
    ``prefix`` and ``length`` random characters (``secrets``) from an
    alphabet without look-alikes; a batch that meets an existing code (or
    one created meanwhile) is drawn again."""
    prefix = code_normalise(prefix)
    _generate_check(count=count, prefix=prefix, length=length)
    scope = scopes_get(model=PromoCode, pks=[template.pk]).get(template.pk, Scope())
    batch = f"{template.code}@{timezone.now():%Y%m%d-%H%M%S}"[:64]
    created: list[PromoCode] = []
    failures = 0
    while len(created) < count:
        wanted = min(_GENERATE_BATCH, count - len(created))
        drawn = {
            prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length)) for _ in range(wanted)
        }
        taken = set(
            PromoCode.objects.alias(code_upper=Upper("code"))
            .filter(code_upper__in=drawn)
            .values_list("code", flat=True)
        )
        fresh = sorted(drawn - taken)
        try:
            with transaction.atomic():  # a savepoint: a collision retries this batch only
                codes = PromoCode.objects.bulk_create(
                    [
                        PromoCode(
                            code=code,
                            batch=batch,
                            usage_limit=1,
                            per_customer_limit=1,
                            **{name: getattr(template, name) for name in _COPIED_FIELDS},
                        )
                        for code in fresh
                    ]
                )
                _scope_links(codes, scope)
        except IntegrityError:
            codes = []
        if not codes:
            failures += 1
            if failures > 10:
                raise PromotionError(_("Too many collisions: use a longer code."))
            continue
        created.extend(codes)
        if progress is not None:
            progress(len(created), count)
    return created


# --- Sale prices on product and listing pages -----------------------------------------

SIGNATURE_KEY = "promotions:sale-prices:signature"
# The periodic task rewrites sale prices at least this often, whatever the signature says.
SIGNATURE_SECONDS = 3600


def _product_scope(scope: Scope, *, prefix: str = "") -> Q:
    """The products (``prefix="product__"``: the variants) in a promotion's
    scope; a category takes its descendants (one indexed prefix match each)."""
    if not (scope.category_ids or scope.brand_ids or scope.product_ids):
        return Q(pk__isnull=False)  # everything; an empty Q() would vanish when ORed
    pk = f"{prefix}pk" if prefix else "pk"
    matches = Q(**{f"{pk}__in": sorted(scope.product_ids)}) if scope.product_ids else Q(pk__in=[])
    if scope.brand_ids:
        matches |= Q(**{f"{prefix}brand_id__in": sorted(scope.brand_ids)})
    if scope.category_ids:
        paths = Category.objects.filter(pk__in=scope.category_ids).values_list("path", flat=True)
        below = Q(pk__in=[])
        for path in paths:
            below |= Q(path__startswith=path)
        filed = Product.categories.through.objects.filter(
            category__in=Category.objects.filter(below).values("pk")
        )
        matches |= Q(**{f"{pk}__in": filed.values("product_id")})
    return matches


def _signature(promotions: list[Promotion]) -> tuple[Any, ...]:
    # The catalog generation moves with every price, category or variant
    # change, which can change a sale price as much as a promotion can.
    return (tuple((p.pk, p.updated_at.isoformat()) for p in promotions), catalog_generation())


def promotion_sale_prices_refresh(*, now: datetime | None = None, only_if_changed: bool = False) -> int:
    """Write, from the automatic promotions running ``now``, each active
    variant's sale price (the best per-unit percentage, computed as the cart
    does by ``promotions.values.unit_sale_price``), each product's lowest price on
    sale and its offer badge; clear those no longer on sale. Returns how many
    products show an offer. With ``only_if_changed`` (the periodic task),
    nothing is done when neither the running promotions nor the catalog
    changed since the last run (one query). One refresh writes at a time,
    and reads the promotions once it has its turn: two at once (a beat run
    and an admin save) cannot leave the older reading written last."""
    now = now or timezone.now()
    if only_if_changed and (done := _refreshed_count(list(promotions_running(now=now)))) is not None:
        return done
    with transaction.atomic():
        locks.advisory_xact_lock("promotions:sale-prices-refresh")
        promotions = list(promotions_running(now=now))
        if only_if_changed and (done := _refreshed_count(promotions)) is not None:
            return done  # the refresh we waited for did it
        count = _sale_prices_write(promotions=promotions)
        cache.set(SIGNATURE_KEY, (_signature(promotions), count), SIGNATURE_SECONDS)
    return count


def _refreshed_count(promotions: list[Promotion]) -> int | None:
    """The last refresh's count if it was made from these promotions and the
    catalog as it is; None when a refresh is due."""
    stored = cache.get(SIGNATURE_KEY)
    if stored is not None and stored[0] == _signature(promotions):
        return int(stored[1])
    return None


def _sale_prices_write(*, promotions: list[Promotion]) -> int:
    scopes = scopes_get(model=Promotion, pks=[p.pk for p in promotions])
    product_scopes = {p.pk: _product_scope(scopes.get(p.pk, Scope())) for p in promotions}
    changed = _variant_sale_prices_write(promotions=promotions, scopes=scopes)
    changed += _product_sale_prices_write()
    changed += _product_badges_write(promotions=promotions, product_scopes=product_scopes)
    if changed:
        catalog_generation_bump()
    return Product.objects.exclude(offer_label="").count()


def _variant_sale_prices_write(*, promotions: list[Promotion], scopes: dict[int, Scope]) -> int:
    best: dict[int, Decimal] = {}
    for promotion in promotions:
        scope = scopes.get(promotion.pk, Scope())
        offer = promotion_offer(
            promotion,
            category_ids=scope.category_ids,
            brand_ids=scope.brand_ids,
            product_ids=scope.product_ids,
        )
        if unit_sale_price(offer=offer, unit_price=Decimal(100)) is None:
            continue  # not a per-unit reduction: a badge only
        variants = Variant.objects.filter(_product_scope(scope, prefix="product__"), is_active=True)
        for pk, price in variants.values_list("pk", "price").iterator(chunk_size=2000):
            sale = unit_sale_price(offer=offer, unit_price=price)
            if sale is not None and sale < price and (pk not in best or sale < best[pk]):
                best[pk] = sale
    current = dict(Variant.objects.filter(sale_price__isnull=False).values_list("pk", "sale_price"))
    to_set = [Variant(pk=pk, sale_price=sale) for pk, sale in sorted(best.items()) if current.get(pk) != sale]
    Variant.objects.bulk_update(to_set, ["sale_price"], batch_size=500)
    to_clear = sorted(set(current) - set(best))
    for start in range(0, len(to_clear), 1000):
        Variant.objects.filter(pk__in=to_clear[start : start + 1000]).update(sale_price=None)
    return len(to_set) + len(to_clear)


def _product_sale_prices_write() -> int:
    """A product's lowest price among its active variants, sale or regular,
    when one of them is on sale; two UPDATEs that skip unchanged rows."""
    active = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
    on_sale = Exists(active.filter(sale_price__isnull=False))
    lowest = Subquery(
        active.order_by()
        .values("product")
        .annotate(low=Min(Coalesce("sale_price", "price")))
        .values("low")[:1]
    )
    changed = (
        Product.objects.filter(on_sale)
        .filter(Q(sale_price_min__isnull=True) | ~Q(sale_price_min=lowest))
        .update(sale_price_min=lowest)
    )
    changed += (
        Product.objects.filter(sale_price_min__isnull=False).exclude(on_sale).update(sale_price_min=None)
    )
    return changed


def _badge_priority(promotion: Promotion) -> tuple[int, Decimal, int]:
    """Per-unit percentages first, the biggest first (the one giving the sale
    price shown); then the others (buy X pay Y, fixed, with a minimum)."""
    per_unit = promotion.kind == OfferKind.PERCENT and promotion.min_subtotal == 0
    return (0 if per_unit else 1, -promotion.value if per_unit else Decimal(0), promotion.pk)


def _product_badges_write(*, promotions: list[Promotion], product_scopes: dict[int, Q]) -> int:
    """Each product in some promotion's scope gets the badge of the first in
    ``_badge_priority`` order; one UPDATE per promotion, skipping rows that
    already show it."""
    changed = 0
    claimed = Q(pk__in=[])
    for promotion in sorted(promotions, key=_badge_priority):
        scope = product_scopes[promotion.pk]
        badge = promotion_badge(promotion)
        changed += (
            Product.objects.filter(scope)
            .exclude(claimed)
            .exclude(offer_label=badge)
            .update(offer_label=badge)
        )
        claimed |= scope
    changed += Product.objects.exclude(offer_label="").exclude(claimed).update(offer_label="")
    return changed


# Beat runs this every PROMOTIONS_SALE_PRICES_REFRESH_SECONDS so that
# promotions starting or ending show on product pages; it does nothing when
# neither the running promotions nor the catalog changed since the last run.
# Defined beside its service (saving a promotion queues it), not in tasks.py.
@shared_task(base=DjangoTask, name="promotions.tasks.promotion_sale_prices_refresh")
def promotion_sale_prices_refresh_task(only_if_changed: bool = True) -> int:
    return promotion_sale_prices_refresh(only_if_changed=only_if_changed)
