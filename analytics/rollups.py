"""The daily rollups: a day's figures computed from the orders, payments and
events tables into ``DailySales``, ``DailyProduct``, ``DailyCategory`` and
``DailyBreakdown``, which the dashboard and the reports read.

``day_rollup(day)`` replaces the day's rows in one transaction, so computing
a day again gives the same rows (and a report never sees half a day). Money
comes from the tables, where it was rounded once when charged: an order
counts on the day it was paid, a refund on the day it was made, a
cancellation or a return request on its own day. Shoppers' behaviour comes
from the events, as distinct visitors per step (each step counted on its
own: a visitor's pseudonym changes when they sign in, so a strict path
through the steps would lose them). A day is a day of the shop's
``TIME_ZONE``.

Events are purged after ``ANALYTICS_RETENTION_DAYS``; a day computed again
after that keeps the event figures it had (``DailySales.events_counted``).
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Upper
from django.utils import timezone

from analytics.models import DailyBreakdown, DailyCategory, DailyProduct, DailySales, Event
from catalog.models import Category, Product
from orders.models import Order, OrderLine, ReturnLine
from payments.models import Refund
from shop.progress import Progress

ZERO = Decimal("0.00")
Dimension = DailyBreakdown.Dimension
Name = Event.Name

# Checkout steps that mean "started the checkout" (any of them).
_CHECKOUT = Name.CHECKOUT_STEP


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of the day and of the next, in the shop's time zone
    (a day of a clock change is 23 or 25 hours long)."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass
class _ProductDay:
    units: int = 0
    revenue: Decimal = ZERO
    returned_units: int = 0
    views: int = 0
    cart_adds: int = 0


def day_rollup(day: date, *, now: datetime | None = None) -> DailySales:
    """Compute ``day``'s rollup rows, replacing what was there; returns the
    day's ``DailySales``."""
    now = now or timezone.now()
    start, end = day_bounds(day)
    paid = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    lines = OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
    returned = ReturnLine.objects.filter(
        return_request__created_at__gte=start, return_request__created_at__lt=end
    )
    events = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    retention_start = timezone.localdate(now) - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    count_events = day >= retention_start

    totals = paid.aggregate(
        orders=Count("pk"),
        gross=Sum("total", default=ZERO),
        discounts=Sum("discount_total", default=ZERO),
        shipping=Sum("shipping_price", default=ZERO),
        tax=Sum("tax_total", default=ZERO),
    )
    refunds = Refund.objects.filter(
        status=Refund.Status.SUCCEEDED, created_at__gte=start, created_at__lt=end
    ).aggregate(amount=Sum("amount", default=ZERO), count=Count("pk"))
    returns = returned.aggregate(
        requests=Count("return_request", distinct=True), units=Sum("quantity", default=0)
    )
    new, returning = _customers(paid, start)

    products: defaultdict[int | None, _ProductDay] = defaultdict(_ProductDay)
    for row in (
        lines.values("variant__product_id").annotate(units=Sum("quantity"), revenue=Sum("total")).order_by()
    ):
        product = products[row["variant__product_id"]]
        product.units, product.revenue = row["units"], row["revenue"]
    returned_by_product = returned.values_list("order_line__variant__product_id").annotate(
        units=Sum("quantity")
    )
    for product_id, units in returned_by_product.order_by():
        products[product_id].returned_units = units

    breakdowns = _orders_breakdowns(day, paid, lines, returned)
    sales = DailySales(
        day=day,
        orders=totals["orders"],
        units=sum(p.units for p in products.values()),
        gross=totals["gross"],
        discounts=totals["discounts"],
        shipping=totals["shipping"],
        tax=totals["tax"],
        refunds=refunds["amount"],
        refunds_count=refunds["count"],
        cancelled=Order.objects.filter(cancelled_at__gte=start, cancelled_at__lt=end).count(),
        new_customers=new,
        returning_customers=returning,
        promo_orders=sum(b.count for b in breakdowns if b.dimension == Dimension.PROMO and b.key == ""),
        returns=returns["requests"],
        returned_units=returns["units"],
        computed_at=now,
    )
    # The "" promo row above only carried the count of orders with any code.
    breakdowns = [b for b in breakdowns if not (b.dimension == Dimension.PROMO and b.key == "")]
    category_views: Counter[int] = Counter()
    if count_events:
        sales.events_counted = True
        _events_figures(sales, events)
        _events_products(events, products)
        category_views = _events_category_views(events)
        breakdowns += _events_breakdowns(day, events)

    with transaction.atomic():
        kept = DailySales.objects.select_for_update().filter(day=day).first()
        if kept is not None and kept.events_counted and not count_events:
            # Past the events' retention: what they said is kept as it was.
            _events_figures_copy(kept, sales)
            for old in DailyProduct.objects.using(DEFAULT_DB_ALIAS).filter(day=day):
                product = products[old.product_id]
                product.views, product.cart_adds = old.views, old.cart_adds
            category_views = Counter(
                dict(
                    DailyCategory.objects.using(DEFAULT_DB_ALIAS)
                    .filter(day=day)
                    .values_list("category_id", "views")
                )
            )
            event_dimensions = (Dimension.CHANNEL, Dimension.SEARCH)
            breakdowns += list(
                DailyBreakdown.objects.using(DEFAULT_DB_ALIAS).filter(day=day, dimension__in=event_dimensions)
            )
        DailySales.objects.filter(day=day).delete()
        DailyProduct.objects.filter(day=day).delete()
        DailyCategory.objects.filter(day=day).delete()
        DailyBreakdown.objects.filter(day=day).delete()
        sales.save()
        DailyProduct.objects.bulk_create(
            DailyProduct(day=day, product_id=product_id, **vars(figures))
            for product_id, figures in products.items()
        )
        DailyCategory.objects.bulk_create(_categories(day, products, category_views))
        DailyBreakdown.objects.bulk_create(
            DailyBreakdown(
                day=day, dimension=b.dimension, key=b.key, count=b.count, count2=b.count2, amount=b.amount
            )
            for b in breakdowns
        )
    return sales


def _customers(paid: QuerySet[Order], start: datetime) -> tuple[int, int]:
    """How many of the day's paying customers (by email, case aside) paid
    for the first time, and how many had paid before."""
    earlier = Order.objects.annotate(customer=Upper("email")).filter(
        customer=OuterRef("customer"), paid_at__lt=start
    )
    rows = paid.annotate(customer=Upper("email")).values("customer").order_by().distinct()
    flags = list(rows.annotate(returning=Exists(earlier)).values_list("customer", "returning"))
    returning = sum(1 for _customer, flag in flags if flag)
    return len(flags) - returning, returning


def _orders_breakdowns(
    day: date,
    paid: QuerySet[Order],
    lines: QuerySet[OrderLine],
    returned: QuerySet[ReturnLine],
) -> list[DailyBreakdown]:
    rows: list[DailyBreakdown] = []
    units_by_country = dict(
        lines.values_list("order__shipping_address__country_code").annotate(units=Sum("quantity")).order_by()
    )
    countries = (
        paid.values_list("shipping_address__country_code")
        .annotate(orders=Count("pk"), amount=Sum("total"))
        .order_by()
    )
    for country, orders, amount in countries:
        rows.append(
            DailyBreakdown(
                dimension=Dimension.COUNTRY,
                key=(country or "").upper(),
                count=orders,
                count2=units_by_country.get(country) or 0,
                amount=amount,
            )
        )
    # A code counts once per order; its amount is all it took off that order.
    code_orders: Counter[str] = Counter()
    code_amounts: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    with_codes = 0
    for discounts in paid.values_list("discounts", flat=True).iterator(chunk_size=2000):
        codes = set()
        for discount in discounts or ():
            code = (discount.get("code") or "").upper()
            if code:
                codes.add(code)
                code_amounts[code] += Decimal(discount.get("amount") or "0")
        code_orders.update(codes)
        with_codes += bool(codes)
    rows += [
        DailyBreakdown(dimension=Dimension.PROMO, key=code, count=orders, amount=code_amounts[code])
        for code, orders in code_orders.items()
    ]
    rows.append(DailyBreakdown(dimension=Dimension.PROMO, key="", count=with_codes))
    reasons = (
        returned.values_list("return_request__reason")
        .annotate(requests=Count("return_request", distinct=True), units=Sum("quantity"))
        .order_by()
    )
    by_reason: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for reason, requests, units in reasons:
        key = " ".join(reason.split())[:200]
        by_reason[key][0] += requests
        by_reason[key][1] += units
    rows += [
        DailyBreakdown(dimension=Dimension.RETURN_REASON, key=key, count=requests, count2=units)
        for key, (requests, units) in by_reason.items()
    ]
    return rows


def _events_figures(sales: DailySales, events: QuerySet[Event]) -> None:
    """Distinct visitors per step, searches and sign-ups."""
    figures = events.aggregate(
        visitors=Count("visitor", distinct=True),
        product_viewers=Count("visitor", distinct=True, filter=Q(name=Name.PRODUCT_VIEW)),
        cart_adders=Count("visitor", distinct=True, filter=Q(name=Name.CART_ADD)),
        checkout_starters=Count("visitor", distinct=True, filter=Q(name=_CHECKOUT)),
        buyers=Count("visitor", distinct=True, filter=Q(name=Name.ORDER_PLACED)),
        searches=Count("pk", filter=Q(name=Name.SEARCH)),
        zero_result_searches=Count("pk", filter=Q(name=Name.SEARCH, results=0)),
        sign_ups=Count("pk", filter=Q(name=Name.SIGN_UP)),
    )
    for field, value in figures.items():
        setattr(sales, field, value)


_EVENT_FIGURES = (
    "visitors",
    "product_viewers",
    "cart_adders",
    "checkout_starters",
    "buyers",
    "searches",
    "zero_result_searches",
    "sign_ups",
    "events_counted",
)


def _events_figures_copy(source: DailySales, target: DailySales) -> None:
    for field in _EVENT_FIGURES:
        setattr(target, field, getattr(source, field))


def _events_products(events: QuerySet[Event], products: dict[int | None, _ProductDay]) -> None:
    """Product views (recorded by slug) and cart adds (by id)."""
    views = dict(events.filter(name=Name.PRODUCT_VIEW).values_list("slug").annotate(n=Count("pk")).order_by())
    for product_id, slug in Product.objects.filter(slug__in=list(views)).values_list("pk", "slug"):
        products[product_id].views = views[slug]
    adds = events.filter(name=Name.CART_ADD, product_id__isnull=False).values_list("product_id")
    for product_id, count in adds.annotate(n=Count("pk")).order_by():
        products[product_id].cart_adds = count


def _events_category_views(events: QuerySet[Event]) -> Counter[int]:
    views = dict(
        events.filter(name=Name.LISTING_VIEW)
        .exclude(slug="")
        .values_list("slug")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ids = Category.objects.filter(slug__in=list(views)).values_list("pk", "slug")
    return Counter({category_id: views[slug] for category_id, slug in ids})


def _events_breakdowns(day: date, events: QuerySet[Event]) -> list[DailyBreakdown]:
    rows: list[DailyBreakdown] = []
    searches = (
        events.filter(name=Name.SEARCH)
        .values_list("query")
        .annotate(n=Count("pk"), zero=Count("pk", filter=Q(results=0)))
        .order_by()
    )
    rows += [
        DailyBreakdown(dimension=Dimension.SEARCH, key=query[:200], count=n, count2=zero)
        for query, n, zero in searches
    ]
    # Channels: a visitor's first campaign source of the day takes their orders.
    source_of: dict[str, str] = {}
    visits: Counter[str] = Counter()
    campaign = events.filter(name=Name.CAMPAIGN_VISIT).order_by("occurred_at", "pk")
    for visitor, source in campaign.values_list("visitor", "source").iterator(chunk_size=5000):
        source_of.setdefault(visitor, source)
        visits[source] += 1
    orders: Counter[str] = Counter()
    amounts: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    placed = events.filter(name=Name.ORDER_PLACED).order_by("occurred_at", "pk")
    seen: set[str] = set()  # a reload of the confirmation records the order again
    for visitor, reference, value in placed.values_list("visitor", "reference", "value").iterator(
        chunk_size=5000
    ):
        if reference in seen:
            continue
        seen.add(reference)
        source = source_of.get(visitor, "")
        orders[source] += 1
        amounts[source] += value or ZERO
    for source in sorted(set(visits) | set(orders)):
        rows.append(
            DailyBreakdown(
                dimension=Dimension.CHANNEL,
                key=source,
                count=visits[source],
                count2=orders[source],
                amount=amounts[source],
            )
        )
    return rows


def _categories(
    day: date, products: dict[int | None, _ProductDay], views: Counter[int]
) -> list[DailyCategory]:
    sold = [product_id for product_id, figures in products.items() if product_id and figures.units]
    by_category: defaultdict[int, _ProductDay] = defaultdict(_ProductDay)
    memberships = Product.categories.through.objects.filter(product_id__in=sold).values_list(
        "category_id", "product_id"
    )
    for category_id, product_id in memberships.iterator(chunk_size=5000):
        figures = by_category[category_id]
        figures.units += products[product_id].units
        figures.revenue += products[product_id].revenue
    return [
        DailyCategory(
            day=day,
            category_id=category_id,
            units=by_category[category_id].units if category_id in by_category else 0,
            revenue=by_category[category_id].revenue if category_id in by_category else ZERO,
            views=views.get(category_id, 0),
        )
        for category_id in sorted(set(by_category) | set(views))
    ]


def rollups_rebuild(first: date, last: date, *, progress: "Progress | None" = None) -> int:
    """Compute every day from ``first`` to ``last`` (a backfill, or after a
    correction in the orders); returns how many days."""
    days = list(days_between(first, last))
    for done, day in enumerate(days, start=1):
        day_rollup(day)
        if progress:
            progress(done, len(days))
    return len(days)


def rollups_refresh(*, now: datetime | None = None, days: int = 3) -> list[date]:
    """Recompute today and the days before it (refunds that succeed late and
    the day's last hour land in them); returns the days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    computed = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    for day in computed:
        day_rollup(day, now=now)
    return computed
