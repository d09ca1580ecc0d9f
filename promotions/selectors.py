"""The questions of promotions, read-only: which offers run now, whether a
code may be used by this customer (and why not), redemptions to list.

The checks here need the database; the ones that need the cart (minimum
subtotal with its shortfall, scope, stacking) are the cart pricing's.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from promotions.models import PromoCode, Promotion, PromotionRule, Redemption
from promotions.offers import promo_code_offer_build, promotion_offer
from promotions.values import Customer, Offer, PromoContext, PromoRefused, RefusalReason

GENERATION_KEY = "promotions:generation"
_OFFERS_KEY = "promotions:offers:{generation}"


@dataclass(frozen=True)
class Scope:
    category_ids: frozenset[int] = frozenset()
    brand_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()


def code_normalise(code: str) -> str:
    """What a shopper typed, as codes are stored: trimmed, upper-case."""
    return code.strip().upper()


def scopes_get(*, model: type[PromotionRule], pks: list[int]) -> dict[int, Scope]:
    """The scope ids of these promotions or codes, in one query (a UNION over
    the three link tables) instead of one per relation."""
    if not pks:
        return {}
    owner = f"{model._meta.model_name}_id"
    parts: list[QuerySet[Any, Any]] = []
    for kind, relation, target in (
        ("c", "categories", "category_id"),
        ("b", "brands", "brand_id"),
        ("p", "products", "product_id"),
    ):
        through = getattr(model, relation).through
        parts.append(
            through.objects.filter(**{f"{owner}__in": pks})
            .annotate(relation=Value(kind))
            .values_list(owner, target, "relation")
            .order_by()
        )
    found: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"c": set(), "b": set(), "p": set()})
    for pk, target_id, kind in parts[0].union(*parts[1:], all=True):
        found[pk][kind].add(target_id)
    return {
        pk: Scope(frozenset(ids["c"]), frozenset(ids["b"]), frozenset(ids["p"])) for pk, ids in found.items()
    }


# --- Automatic promotions --------------------------------------------------------


def promotions_generation() -> int:
    """Bumped whenever a promotion is saved or deleted (services), so that the
    cached offers are replaced at once, in every process."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return int(generation)


def _is_running(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    return (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


def promotions_running(*, now: datetime) -> QuerySet[Promotion]:
    return Promotion.objects.filter(
        Q(starts_at__isnull=True) | Q(starts_at__lte=now),
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        is_active=True,
    ).order_by("pk")


type _Timed = tuple[Offer, datetime | None, datetime | None]


def _timed_offers(*, now: datetime) -> list[_Timed]:
    """Every active promotion that has not ended, with its window: two queries."""
    promotions = list(
        Promotion.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), is_active=True).order_by("pk")
    )
    scopes = scopes_get(model=Promotion, pks=[promotion.pk for promotion in promotions])
    timed = []
    for promotion in promotions:
        scope = scopes.get(promotion.pk, Scope())
        offer = promotion_offer(
            promotion,
            category_ids=scope.category_ids,
            brand_ids=scope.brand_ids,
            product_ids=scope.product_ids,
        )
        timed.append((offer, promotion.starts_at, promotion.ends_at))
    return timed


def promotion_offers_active(*, now: datetime) -> list[Offer]:
    """The automatic promotions running at ``now``, as Offers.

    The cart asks on every page, so the list is cached: under a key holding
    the promotions' generation (bumped on every save and delete), for
    ``PROMOTIONS_CACHE_SECONDS`` at most. The cached list keeps promotions
    that start later with their window and is filtered by ``now`` here, so a
    start or end time takes effect on the minute without a query. A hit costs
    no query; a miss two.
    """
    key = _OFFERS_KEY.format(generation=promotions_generation())
    timed: list[_Timed] | None = cache.get(key)
    if timed is None:
        timed = _timed_offers(now=now)
        cache.set(key, timed, settings.PROMOTIONS_CACHE_SECONDS)
    return [offer for offer, starts_at, ends_at in timed if _is_running(starts_at, ends_at, now)]


# --- Promo codes ---------------------------------------------------------------


def promo_code_find(*, code: str) -> PromoCode | None:
    """The code, typed in any case (matched on upper(code), the unique index)."""
    normalised = code_normalise(code)
    if not normalised:
        return None
    return PromoCode.objects.alias(code_upper=Upper("code")).filter(code_upper=normalised).first()


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def customer_redemptions(*, code: PromoCode, customer: Customer) -> QuerySet[Redemption]:
    """This customer's redemptions of ``code``: by their account, or by their
    email (also a guest checkout's), without regard to case."""
    email = customer.email.strip().lower()
    who = Q(pk__in=[])
    if customer.user_id is not None:
        who |= Q(user_id=customer.user_id)
    if email:
        who |= Q(email=email)
    return Redemption.objects.filter(who, code=code)


def promo_code_refusal(*, code: PromoCode, customer: Customer, now: datetime) -> PromoRefused | None:
    """Why ``customer`` may not use ``code`` at ``now``, as far as the
    database tells (validity, limits, first order), or None."""
    name = code.code
    if not code.is_active:
        return PromoRefused(RefusalReason.EXPIRED, _("%(code)s is no longer valid.") % {"code": name})
    if code.starts_at is not None and now < code.starts_at:
        return PromoRefused(
            RefusalReason.NOT_YET_VALID,
            _("%(code)s is valid from %(when)s.") % {"code": name, "when": _when(code.starts_at)},
        )
    if code.ends_at is not None and now >= code.ends_at:
        return PromoRefused(
            RefusalReason.EXPIRED,
            _("%(code)s expired on %(when)s.") % {"code": name, "when": _when(code.ends_at)},
        )
    if code.usage_limit is not None and code.times_used >= code.usage_limit:
        return PromoRefused(
            RefusalReason.LIMIT_REACHED, _("%(code)s has reached its usage limit.") % {"code": name}
        )
    if code.first_order_only and customer.orders_placed() > 0:
        return PromoRefused(
            RefusalReason.FIRST_ORDER_ONLY, _("%(code)s is for a first order only.") % {"code": name}
        )
    if code.per_customer_limit is not None and (customer.user_id is not None or customer.email.strip()):
        used = customer_redemptions(code=code, customer=customer).count()
        if used >= code.per_customer_limit:
            return PromoRefused(
                RefusalReason.ALREADY_USED,
                ngettext(
                    "You have already used %(code)s.",
                    "You have already used %(code)s %(count)s times, as often as it allows.",
                    used,
                )
                % {"code": name, "count": used},
            )
    return None


def promo_code_offer(*, code: str, context: PromoContext) -> Offer:
    """The Offer behind what the shopper typed, or ``PromoRefused`` saying why
    they may not use it. Two or three queries (code, scope, own uses)."""
    found = promo_code_find(code=code)
    if found is None:
        raise PromoRefused(
            RefusalReason.UNKNOWN, _("We don't know the code %(code)s.") % {"code": code_normalise(code)}
        )
    refusal = promo_code_refusal(code=found, customer=context.customer, now=context.now or timezone.now())
    if refusal is not None:
        raise refusal
    scope = scopes_get(model=PromoCode, pks=[found.pk]).get(found.pk, Scope())
    return promo_code_offer_build(
        found, category_ids=scope.category_ids, brand_ids=scope.brand_ids, product_ids=scope.product_ids
    )


# --- Lists -----------------------------------------------------------------------


def promo_codes_with_counts() -> QuerySet[PromoCode]:
    """Codes with ``redemption_count`` (the admin's list)."""
    return PromoCode.objects.annotate(redemption_count=Count("redemptions"))


def user_redemptions(*, user_id: int) -> QuerySet[Redemption]:
    return Redemption.objects.filter(user_id=user_id).select_related("code").order_by("created_at", "pk")
