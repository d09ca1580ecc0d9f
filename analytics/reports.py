"""The figures of the dashboard and the reports, read from the daily rollups
only (``analytics.rollups``), so a range costs the same at a thousand orders
as at a million: a handful of queries over at most a row per day (per
product, per category, per key). The rollup tables are read from the
``replica`` database when one is configured (``analytics.routers``).

Every function takes a ``Period`` (first and last day, both included, in
the shop's time zone). ``report_tables`` gives every report as a plain table
for the exports (CSV, XLSX, PDF) and the scheduled email.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.models import DailyBreakdown, DailyCategory, DailyProduct, DailySales
from catalog.models import Category, Product, Variant

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
Dimension = DailyBreakdown.Dimension
Compare = Literal["previous", "year", "none"]
LONGEST_DAYS = 3 * 366  # a range longer than this is refused (a report, not a data dump)

_SALES_SUMS = (
    "orders",
    "units",
    "gross",
    "discounts",
    "shipping",
    "tax",
    "refunds",
    "refunds_count",
    "cancelled",
    "new_customers",
    "returning_customers",
    "promo_orders",
    "returns",
    "returned_units",
    "visitors",
    "product_viewers",
    "cart_adders",
    "checkout_starters",
    "buyers",
    "searches",
    "zero_result_searches",
    "sign_ups",
)


_MONEY = ("gross", "discounts", "shipping", "tax", "refunds")


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The same number of days just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def year_before(self) -> "Period":
        return Period(_year_back(self.first), _year_back(self.last))

    def compared(self, compare: Compare) -> "Period | None":
        if compare == "previous":
            return self.previous()
        if compare == "year":
            return self.year_before()
        return None

    def __str__(self) -> str:
        return f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d}"


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class PeriodError(ValueError):
    pass


def period_parse(first: str | None, last: str | None, *, default_days: int = 30) -> Period:
    """A period from two ISO dates; without them the last ``default_days``
    days up to today. Raises ``PeriodError`` with a message for people."""
    today = timezone.localdate()
    if not first and not last:
        return Period(today - timedelta(days=default_days - 1), today)
    try:
        start = date.fromisoformat(first) if first else None
        end = date.fromisoformat(last) if last else today
    except ValueError:
        raise PeriodError(_("Dates are written as YYYY-MM-DD, for example 2026-03-31.")) from None
    if start is None:
        start = end - timedelta(days=default_days - 1)
    if start > end:
        raise PeriodError(_("The first day comes after the last day."))
    if (end - start).days + 1 > LONGEST_DAYS:
        raise PeriodError(_("A report covers at most three years."))
    return Period(start, end)


def _cents(value: Decimal | int | None) -> Decimal:
    """A sum of money to the cent: SQLite sums decimals as floats' text
    (69.0500000000000), PostgreSQL exactly; both come out the same."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` to four places, or None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class Summary:
    period: Period
    orders: int = 0
    units: int = 0
    gross: Decimal = ZERO
    discounts: Decimal = ZERO
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    refunds: Decimal = ZERO
    refunds_count: int = 0
    cancelled: int = 0
    new_customers: int = 0
    returning_customers: int = 0
    promo_orders: int = 0
    returns: int = 0
    returned_units: int = 0
    visitors: int = 0
    product_viewers: int = 0
    cart_adders: int = 0
    checkout_starters: int = 0
    buyers: int = 0
    searches: int = 0
    zero_result_searches: int = 0
    sign_ups: int = 0

    @property
    def revenue(self) -> Decimal:
        """What the shop kept: charged minus refunded."""
        return self.gross - self.refunds

    @property
    def average_order_value(self) -> Decimal | None:
        if not self.orders:
            return None
        return (self.gross / self.orders).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def conversion_rate(self) -> Decimal | None:
        """Visitors who placed an order, of all visitors (summed per day)."""
        return _ratio(self.buyers, self.visitors)

    @property
    def cart_abandonment(self) -> Decimal | None:
        """Visitors who added to a cart and placed no order that day."""
        if not self.cart_adders:
            return None
        return _ratio(max(self.cart_adders - self.buyers, 0), self.cart_adders)

    @property
    def returns_rate(self) -> Decimal | None:
        """Units asked to be returned, of the units sold (same period)."""
        return _ratio(self.returned_units, self.units)

    @property
    def zero_result_rate(self) -> Decimal | None:
        return _ratio(self.zero_result_searches, self.searches)


def summary(period: Period) -> Summary:
    totals = DailySales.objects.filter(day__range=(period.first, period.last)).aggregate(
        **{name: Sum(name) for name in _SALES_SUMS}
    )
    for name in _MONEY:
        totals[name] = _cents(totals[name])
    return Summary(period=period, **{k: v for k, v in totals.items() if v is not None})


def change(current: int | Decimal | None, before: int | Decimal | None) -> Decimal | None:
    """The relative change from ``before`` to ``current`` (0.25 is +25 %)."""
    if current is None or before is None or not before:
        return None
    return _ratio(Decimal(current) - Decimal(before), before)


@dataclass
class Day:
    day: date
    orders: int = 0
    units: int = 0
    gross: Decimal = ZERO
    refunds: Decimal = ZERO
    visitors: int = 0
    buyers: int = 0

    @property
    def revenue(self) -> Decimal:
        return self.gross - self.refunds


def daily(period: Period) -> list[Day]:
    """One row per day of the period, days without a rollup as zeros."""
    rows = DailySales.objects.filter(day__range=(period.first, period.last)).values(
        "day", "orders", "units", "gross", "refunds", "visitors", "buyers"
    )
    by_day = {row["day"]: Day(**row) for row in rows}
    return [by_day.get(d) or Day(day=d) for d in _days(period)]


def _days(period: Period) -> list[date]:
    return [period.first + timedelta(days=n) for n in range(period.days)]


@dataclass
class FunnelStep:
    key: str
    label: str
    visitors: int
    of_first: Decimal | None  # share of the first step's visitors
    drop_off: Decimal | None  # lost since the step before


def funnel(total: Summary) -> list[FunnelStep]:
    steps = [
        ("view", _("Viewed a product"), total.product_viewers),
        ("cart", _("Added to cart"), total.cart_adders),
        ("checkout", _("Started checkout"), total.checkout_starters),
        ("paid", _("Placed an order"), total.buyers),
    ]
    first = steps[0][2]
    result = []
    before: int | None = None
    for key, label, visitors in steps:
        drop = None if before is None else _ratio(max(before - visitors, 0), before)
        result.append(FunnelStep(key, label, visitors, _ratio(visitors, first), drop))
        before = visitors
    return result


@dataclass
class ProductFigures:
    product_id: int | None
    title: str
    slug: str = ""
    units: int = 0
    revenue: Decimal = ZERO
    returned_units: int = 0
    views: int = 0
    cart_adds: int = 0

    @property
    def conversion(self) -> Decimal | None:
        """Units sold per view."""
        return _ratio(self.units, self.views)


def _product_rows(period: Period) -> "QuerySet[DailyProduct]":
    return DailyProduct.objects.filter(day__range=(period.first, period.last))


def _products_named(rows: list[dict[str, Any]]) -> list[ProductFigures]:
    ids = [row["product_id"] for row in rows if row["product_id"]]
    names = {
        pk: (title, slug)
        for pk, title, slug in Product.objects.filter(pk__in=ids).values_list("pk", "title", "slug")
    }
    result = []
    for row in rows:
        title, slug = names.get(row["product_id"], (_("Deleted product"), ""))
        result.append(ProductFigures(title=title, slug=slug, **{**row, "revenue": _cents(row["revenue"])}))
    return result


_PRODUCT_SUMS = {
    "units": Sum("units"),
    "revenue": Sum("revenue"),
    "returned_units": Sum("returned_units"),
    "views": Sum("views"),
    "cart_adds": Sum("cart_adds"),
}


@dataclass
class ProductRankings:
    by_revenue: list[ProductFigures]
    by_units: list[ProductFigures]
    viewed_not_bought: list[ProductFigures]


def product_rankings(period: Period, *, limit: int = 10, min_views: int = 20) -> ProductRankings:
    """The period's products summed once (one query over the rollup, one for
    the names), ranked three ways: by revenue, by units, and of those with
    at least ``min_views`` views the fewest units per view first."""
    sums = _product_rows(period).values("product_id").annotate(**_PRODUCT_SUMS).order_by()
    rows: list[dict[str, Any]] = [dict(row) for row in sums]
    sold = [row for row in rows if row["units"]]

    def ties(row: dict[str, Any]) -> tuple[bool, int]:  # as SQL orders: by id, the deleted (no id) last
        return row["product_id"] is None, row["product_id"] or 0

    by_revenue = sorted(sold, key=lambda row: (-row["revenue"], *ties(row)))[:limit]
    by_units = sorted(sold, key=lambda row: (-row["units"], *ties(row)))[:limit]
    viewed = [row for row in rows if row["product_id"] and row["views"] >= min_views]
    # Units per million views, in integers: an ordering only (Fraction sorting cost 30 ms a page).
    rarely = sorted(
        viewed, key=lambda row: (row["units"] * 1_000_000 // row["views"], -row["views"], *ties(row))
    )
    named = _products_named(by_revenue + by_units + rarely[:limit])
    return ProductRankings(
        by_revenue=named[: len(by_revenue)],
        by_units=named[len(by_revenue) : len(by_revenue) + len(by_units)],
        viewed_not_bought=named[len(by_revenue) + len(by_units) :],
    )


def top_products(
    period: Period, *, by: Literal["revenue", "units"] = "revenue", limit: int = 10
) -> list[ProductFigures]:
    rankings = product_rankings(period, limit=limit)
    return rankings.by_revenue if by == "revenue" else rankings.by_units


def viewed_not_bought(period: Period, *, limit: int = 10, min_views: int = 20) -> list[ProductFigures]:
    """Products with at least ``min_views`` views, the fewest units per view first."""
    return product_rankings(period, limit=limit, min_views=min_views).viewed_not_bought


@dataclass
class CategoryFigures:
    category_id: int
    name: str
    slug: str
    units: int
    revenue: Decimal
    views: int


def top_categories(
    period: Period, *, by: Literal["revenue", "units"] = "revenue", limit: int = 10
) -> list[CategoryFigures]:
    rows = list(
        DailyCategory.objects.filter(day__range=(period.first, period.last))
        .values("category_id")
        .annotate(units=Sum("units"), revenue=Sum("revenue"), views=Sum("views"))
        .order_by(f"-{by}", "-views", "category_id")[:limit]
    )
    names = {
        pk: (name, slug)
        for pk, name, slug in Category.objects.filter(pk__in=[r["category_id"] for r in rows]).values_list(
            "pk", "name", "slug"
        )
    }
    return [
        CategoryFigures(
            name=names.get(r["category_id"], (_("Deleted category"), ""))[0],
            slug=names.get(r["category_id"], ("", ""))[1],
            category_id=r["category_id"],
            units=r["units"],
            revenue=_cents(r["revenue"]),
            views=r["views"],
        )
        for r in rows
    ]


@dataclass
class Share:
    key: str
    count: int
    count2: int
    amount: Decimal


def breakdown(period: Period, dimension: str, *, limit: int = 10, order: str = "-count") -> list[Share]:
    """The period's figures by one dimension (see ``DailyBreakdown``), the
    largest first."""
    rows = (
        DailyBreakdown.objects.filter(dimension=dimension, day__range=(period.first, period.last))
        .values("key")
        .annotate(count=Sum("count"), count2=Sum("count2"), amount=Sum("amount"))
        .order_by(order, "key")[:limit]
    )
    return [Share(row["key"], row["count"], row["count2"], _cents(row["amount"])) for row in rows]


def zero_result_searches(period: Period, *, limit: int = 10) -> list[Share]:
    rows = (
        DailyBreakdown.objects.filter(dimension=Dimension.SEARCH, day__range=(period.first, period.last))
        .values("key")
        .annotate(count=Sum("count"), count2=Sum("count2"), amount=Sum("amount"))
        .filter(count2__gt=0)
        .order_by("-count2", "key")[:limit]
    )
    return [Share(row["key"], row["count"], row["count2"], _cents(row["amount"])) for row in rows]


def _ids(ids: list[int]) -> "list[int] | RawSQL":
    """``ids`` for an ``__in`` lookup: on PostgreSQL one array parameter
    (thousands of placeholders cost more to send than the query to run)."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


@dataclass
class StockCover:
    product_id: int
    title: str
    available: int
    sold: int  # units in the window
    days_of_cover: Decimal  # available / daily rate


def stock_cover(*, window_days: int = 28, limit: int = 10, today: date | None = None) -> list[StockCover]:
    """Products that sold in the last ``window_days`` days, by how many days
    their available stock lasts at that rate, the shortest first."""
    today = today or timezone.localdate()
    sold = dict(
        DailyProduct.objects.filter(
            day__gt=today - timedelta(days=window_days), day__lte=today, product_id__isnull=False
        )
        .values_list("product_id")
        .annotate(units=Sum("units"))
        .filter(units__gt=0)
        .order_by()
    )
    if not sold:
        return []
    stock = (
        Variant.objects.filter(product_id__in=_ids(list(sold)), is_active=True)
        .values_list("product_id", "product__title")
        .annotate(available=Sum(F("stock_on_hand") - F("stock_reserved")))
        .order_by()
    )
    rows = []
    for product_id, title, available in stock:
        rate = Decimal(sold[product_id]) / window_days
        rows.append(
            StockCover(
                product_id, title, available, sold[product_id], (available / rate).quantize(Decimal("0.1"))
            )
        )
    rows.sort(key=lambda r: (r.days_of_cover, r.product_id))
    return rows[:limit]


# The reports of ``report_tables``, by key, in their order (the dashboard's
# download links list them without computing them).
REPORTS = {
    "summary": gettext_lazy("Summary"),
    "daily": gettext_lazy("By day"),
    "funnel": gettext_lazy("Funnel"),
    "products_revenue": gettext_lazy("Top products by revenue"),
    "products_units": gettext_lazy("Top products by units"),
    "viewed_not_bought": gettext_lazy("Viewed but rarely bought"),
    "categories": gettext_lazy("Top categories by revenue"),
    "searches": gettext_lazy("Top searches"),
    "zero_result_searches": gettext_lazy("Searches without results"),
    "channels": gettext_lazy("Channels"),
    "countries": gettext_lazy("Countries"),
    "promo_codes": gettext_lazy("Promo codes"),
    "return_reasons": gettext_lazy("Return reasons"),
    "stock_cover": gettext_lazy("Stock running out"),
}


@dataclass
class Table:
    """One report as a table: what the exports write and the email shows."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def summary_figures(total: Summary) -> list[tuple[str, str, int | Decimal | None]]:
    """The headline figures: key, label, value (rates in percent)."""
    return [
        ("revenue", _("Revenue (net of refunds)"), total.revenue),
        ("gross", _("Charged"), total.gross),
        ("refunds", _("Refunded"), total.refunds),
        ("orders", _("Orders"), total.orders),
        ("aov", _("Average order value"), total.average_order_value),
        ("units", _("Units sold"), total.units),
        ("new_customers", _("New customers"), total.new_customers),
        ("returning_customers", _("Returning customers"), total.returning_customers),
        ("visitors", _("Visitors"), total.visitors),
        ("conversion", _("Conversion rate (%)"), _percent(total.conversion_rate)),
        ("abandonment", _("Cart abandonment (%)"), _percent(total.cart_abandonment)),
        ("returns_rate", _("Returns rate (% of units)"), _percent(total.returns_rate)),
        ("promo_orders", _("Orders with a promo code"), total.promo_orders),
        ("discounts", _("Discounts given"), total.discounts),
        ("cancelled", _("Orders cancelled"), total.cancelled),
        ("searches", _("Searches"), total.searches),
        ("zero_results", _("Searches without results"), total.zero_result_searches),
        ("sign_ups", _("Sign-ups"), total.sign_ups),
    ]


def report_tables(period: Period, *, compare: Compare = "none", limit: int = 50) -> list[Table]:
    """Every report of the period as a table, in the dashboard's order."""
    total = summary(period)
    other_period = period.compared(compare)
    other = summary(other_period) if other_period else None
    columns = [_("Figure"), str(period)]
    if other_period:
        columns += [str(other_period), _("Change (%)")]
    figures_rows: list[list[Any]] = []
    other_figures = {key: value for key, _label, value in summary_figures(other)} if other else {}
    for key, label, value in summary_figures(total):
        row: list[Any] = [label, value]
        if other is not None:
            row += [other_figures[key], _percent(change(value, other_figures[key]))]
        figures_rows.append(row)

    def products(rows: list[ProductFigures]) -> list[list[Any]]:
        return [[p.title, p.units, p.revenue, p.views, p.returned_units] for p in rows]

    def shares(rows: list[Share], *fields: str) -> list[list[Any]]:
        return [[row.key, *(getattr(row, name) for name in fields)] for row in rows]

    rankings = product_rankings(period, limit=limit)
    product_columns = [_("Product"), _("Units"), _("Revenue"), _("Views"), _("Units returned")]
    search_columns = [_("Search"), _("Searches"), _("Without results")]
    contents: list[tuple[str, list[str], list[list[Any]]]] = [
        ("summary", columns, figures_rows),
        (
            "daily",
            [_("Day"), _("Orders"), _("Units"), _("Charged"), _("Refunded"), _("Revenue"), _("Visitors")],
            [[d.day, d.orders, d.units, d.gross, d.refunds, d.revenue, d.visitors] for d in daily(period)],
        ),
        (
            "funnel",
            [_("Step"), _("Visitors"), _("Of the first step (%)"), _("Drop-off (%)")],
            [[s.label, s.visitors, _percent(s.of_first), _percent(s.drop_off)] for s in funnel(total)],
        ),
        ("products_revenue", product_columns, products(rankings.by_revenue)),
        ("products_units", product_columns, products(rankings.by_units)),
        ("viewed_not_bought", product_columns, products(rankings.viewed_not_bought)),
        (
            "categories",
            [_("Category"), _("Units"), _("Revenue"), _("Page views")],
            [[c.name, c.units, c.revenue, c.views] for c in top_categories(period, limit=limit)],
        ),
        (
            "searches",
            search_columns,
            shares(breakdown(period, Dimension.SEARCH, limit=limit), "count", "count2"),
        ),
        (
            "zero_result_searches",
            search_columns,
            shares(zero_result_searches(period, limit=limit), "count", "count2"),
        ),
        (
            "channels",
            [_("Source"), _("Visits"), _("Orders"), _("Order value")],
            [
                [s.key or _("(direct)"), s.count, s.count2, s.amount]
                for s in breakdown(period, Dimension.CHANNEL, limit=limit, order="-count2")
            ],
        ),
        (
            "countries",
            [_("Country"), _("Orders"), _("Units"), _("Charged")],
            [
                [s.key or "?", s.count, s.count2, s.amount]
                for s in breakdown(period, Dimension.COUNTRY, limit=limit)
            ],
        ),
        (
            "promo_codes",
            [_("Code"), _("Orders"), _("Discount given")],
            shares(breakdown(period, Dimension.PROMO, limit=limit), "count", "amount"),
        ),
        (
            "return_reasons",
            [_("Reason"), _("Returns"), _("Units")],
            shares(breakdown(period, Dimension.RETURN_REASON, limit=limit), "count", "count2"),
        ),
        (
            "stock_cover",
            [_("Product"), _("Available"), _("Sold in 28 days"), _("Days of cover")],
            [[c.title, c.available, c.sold, c.days_of_cover] for c in stock_cover(limit=limit)],
        ),
    ]
    return [Table(key, str(REPORTS[key]), heads, rows) for key, heads, rows in contents]
