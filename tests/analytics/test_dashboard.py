"""The staff analytics dashboard at /admin/analytics/: who may see it, the
figures of a period from the rollups beside the comparison period's, the
links to the lists behind them (in the shop's time zone), bad input as a
message, no customer's email on the page, and a constant number of queries
whatever the range and the data."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import DailyBreakdown, DailyCategory, DailyProduct, DailySales
from analytics.rollups import rollups_rebuild
from catalog.models import Product
from orders.models import Order, OrderLine
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.factories import UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/analytics/"
CUSTOMER = "grace.hopper@example.com"


def _reporter(*, may_view: bool = True) -> Client:
    """A member of staff (not a superuser), with or without the permission."""
    user = UserFactory.create(is_staff=True)
    if may_view:
        user.user_permissions.set(Permission.objects.filter(codename="view_reports"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reporter(settings) -> Client:
    settings.ADMIN_REQUIRE_MFA = False
    return _reporter()


def _paid_on(day: date, *, hour: int = 12, email: str = CUSTOMER) -> Order:
    """An order through the real checkout, paid at ``hour`` of ``day`` in the shop's time zone."""
    order = paid_order(email=email)
    paid_at = datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())
    Order.objects.filter(pk=order.pk).update(paid_at=paid_at, created_at=paid_at)
    order.refresh_from_db()
    return order


def _products_of(*orders: Order) -> list[Product]:
    skus = OrderLine.objects.filter(order__in=orders).values("sku")
    return list(Product.objects.filter(variants__sku__in=skus).distinct().order_by("pk"))


def _text(response) -> str:
    """The page's text without tags and with single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- Who may see it ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={DASHBOARD}"


def test_customers_are_sent_to_the_admin_sign_in(client):
    client.force_login(UserFactory.create(email=CUSTOMER))

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_permission_are_refused(settings):
    settings.ADMIN_REQUIRE_MFA = False

    response = _reporter(may_view=False).get(DASHBOARD)

    assert response.status_code == 403


def test_staff_with_the_permission_and_superusers_see_it(reporter, staff_client):
    assert reporter.get(DASHBOARD).status_code == 200
    assert staff_client.get(DASHBOARD).status_code == 200


def test_the_admin_index_links_to_it_for_staff_who_may_see_it(reporter, settings):
    assert f'href="{DASHBOARD}"' in reporter.get(reverse("admin:index")).content.decode()
    others = _reporter(may_view=False)
    others_index = others.get(reverse("admin:index"))
    assert others_index.status_code == 200
    assert f'href="{DASHBOARD}"' not in others_index.content.decode()


def test_staff_must_use_two_factor_authentication_here_too(staff_client, settings):
    settings.ADMIN_REQUIRE_MFA = True

    response = staff_client.get(DASHBOARD)

    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


# --- The figures ----------------------------------------------------------------------


def test_the_figures_of_the_period_beside_the_previous_period(reporter):
    today = timezone.localdate()
    first, second = _paid_on(today - timedelta(days=2)), _paid_on(today - timedelta(days=1), hour=9)
    before = _paid_on(today - timedelta(days=9))  # the previous seven days
    rollups_rebuild(today - timedelta(days=13), today)
    period = f"from={today - timedelta(days=6)}&to={today}"

    response = reporter.get(f"{DASHBOARD}?{period}&compare=previous")

    assert response.status_code == 200
    text = _text(response)
    revenue = first.total + second.total
    assert f"Analytics: {today - timedelta(days=6)} to {today}" in text
    assert f"Revenue (net of refunds) EUR {revenue} before: EUR {before.total} ▲ up +100.0 %" in text
    assert "Orders 2 before: 1 ▲ up +100.0 %" in text
    units = sum(line.quantity for order in (first, second) for line in order.lines.all())
    assert f"Units sold {units} before:" in text
    assert f"Average order value EUR {(revenue / 2).quantize(Decimal('0.01'))}" in text
    # Every product of the orders, by revenue, with its admin page.
    for product in _products_of(first, second):
        product_url = reverse("admin:catalog_product_change", args=[product.pk])
        assert f'<a href="{product_url}">{product.title}</a>' in response.content.decode()


def test_without_a_comparison_no_change_is_shown(reporter):
    today = timezone.localdate()
    _paid_on(today)
    rollups_rebuild(today, today)

    text = _text(reporter.get(f"{DASHBOARD}?from={today}&to={today}&compare=none"))

    assert "Without a comparison." in text
    assert "before:" not in text
    assert "Orders 1 " in text


def test_the_comparison_a_year_before(reporter):
    today = timezone.localdate()
    a_year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else today
    _paid_on(a_year_ago)
    rollups_rebuild(a_year_ago, a_year_ago)

    text = _text(reporter.get(f"{DASHBOARD}?from={today}&to={today}&compare=year"))

    assert f"Compared with the same period a year before: {a_year_ago} to {a_year_ago}" in text
    assert "Orders 0 before: 1 ▼ down -100.0 %" in text


def test_rates_change_in_points_and_a_rise_in_abandonment_is_bad(reporter):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    now = timezone.now()
    DailySales.objects.create(day=yesterday, cart_adders=10, buyers=5, visitors=50, computed_at=now)
    DailySales.objects.create(day=today, cart_adders=10, buyers=2, visitors=50, computed_at=now)

    response = reporter.get(f"{DASHBOARD}?from={today}&to={today}")

    text = _text(response)
    assert "Cart abandonment (%) 80.0 % before: 50.0 % ▲ up +30.0 points" in text
    assert "Conversion rate (%) 4.0 % before: 10.0 % ▼ down -6.0 points" in text
    html = response.content.decode()
    assert re.search(r'id="figure-abandonment">.*?analytics-change-up analytics-change-bad', html, re.S)
    assert re.search(r'id="figure-conversion">.*?analytics-change-down analytics-change-bad', html, re.S)


def test_no_customer_email_appears_on_the_page(reporter):
    today = timezone.localdate()
    _paid_on(today, email=CUSTOMER)
    rollups_rebuild(today, today)

    response = reporter.get(DASHBOARD)

    assert response.status_code == 200
    assert "Orders 1 " in _text(response)
    page = response.content.decode().lower()
    assert CUSTOMER not in page
    assert "grace.hopper" not in page


# --- The links behind the figures ------------------------------------------------------


def _links(response) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', response.content.decode())]


def test_the_orders_link_lists_the_orders_paid_in_the_period_in_the_shops_time_zone(
    reporter, staff_client, settings
):
    settings.TIME_ZONE = "Europe/Berlin"
    day = date(2026, 3, 10)
    zone = timezone.get_default_timezone()
    just_in = _paid_on(day, hour=0)  # 00:xx in Berlin, still the 9th in UTC
    just_out = _paid_on(day + timedelta(days=1), hour=0)
    Order.objects.filter(pk=just_in.pk).update(paid_at=datetime.combine(day, time(0, 30), tzinfo=zone))
    Order.objects.filter(pk=just_out.pk).update(
        paid_at=datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
    )
    rollups_rebuild(day, day + timedelta(days=1))

    response = reporter.get(f"{DASHBOARD}?from={day}&to={day}")

    orders_links = [
        link for link in _links(response) if link.startswith(reverse("admin:orders_order_changelist"))
    ]
    query = parse_qs(urlsplit(orders_links[0]).query)
    assert query["paid_at__gte"] == ["2026-03-10T00:00:00+01:00"]
    assert query["paid_at__lt"] == ["2026-03-11T00:00:00+01:00"]
    listed = staff_client.get(orders_links[0])
    assert listed.status_code == 200
    assert just_in.number in listed.content.decode()
    assert just_out.number not in listed.content.decode()
    assert "Orders 1 " in _text(response)


def test_every_link_of_the_dashboard_opens(reporter, staff_client):
    today = timezone.localdate()
    order = _paid_on(today)
    rollups_rebuild(today, today)
    category = CategoryFactory.create(name="Lamps")
    DailyCategory.objects.create(day=today, category_id=category.pk, units=2, revenue=Decimal("40.00"))
    DailyBreakdown.objects.bulk_create(
        [
            DailyBreakdown(day=today, dimension="search", key="brass lamp", count=3, count2=1),
            DailyBreakdown(day=today, dimension="promo", key="WELCOME10", count=1, amount=Decimal("2.00")),
            DailyBreakdown(day=today, dimension="return_reason", key="Too small", count=1, count2=1),
        ]
    )

    response = reporter.get(DASHBOARD)

    links = _links(response)
    category_url = reverse("admin:catalog_category_change", args=[category.pk])
    assert category_url in links
    assert "/products/?q=brass+lamp" in links
    expected = {
        reverse("admin:orders_order_changelist"),
        reverse("admin:orders_return_changelist"),
        reverse("admin:promotions_redemption_changelist"),
        reverse("admin:payments_refund_changelist"),
        reverse("admin:catalog_product_change", args=[_products_of(order)[0].pk]),
    }
    assert expected <= {link.split("?")[0] for link in links}
    for link in links:
        if link.startswith("/admin/") and not link.startswith(DASHBOARD):
            opened = staff_client.get(link)
            assert opened.status_code == 200, link
            assert "?e=1" not in opened.get("Location", ""), link
        elif link.startswith("/products/"):
            assert Client().get(link).status_code == 200, link


def test_quick_ranges_keep_the_comparison(reporter):
    today = timezone.localdate()

    response = reporter.get(f"{DASHBOARD}?compare=year")

    links = _links(response)
    assert f"?from={today - timedelta(days=6)}&to={today}&compare=year" in links
    assert f"?from={today - timedelta(days=89)}&to={today}&compare=year" in links
    assert f"?from={today.replace(day=1)}&to={today}&compare=year" in links
    assert f"?from={today.replace(month=1, day=1)}&to={today}&compare=year" in links


# --- Bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01&to=2026-12-31", "Dates are written as YYYY-MM-DD, for example 2026-03-31."),
        ("from=yesterday", "Dates are written as YYYY-MM-DD, for example 2026-03-31."),
        ("from=2026-03-31&to=2026-03-01", "The first day comes after the last day."),
        ("from=2020-01-01&to=2026-01-01", "A report covers at most three years."),
        ("compare=decade", "Compare with the previous period, the same period a year before, or nothing."),
    ],
)
def test_bad_input_is_a_message_on_the_form(reporter, query, message):
    response = reporter.get(f"{DASHBOARD}?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="errornote" role="alert" id="range-error">{message}</p>' in html
    assert 'name="from"' in html
    assert "Headline figures" not in html


# --- The page itself ---------------------------------------------------------------------


def test_charts_come_from_npm_with_the_numbers_as_data_and_no_inline_code(reporter):
    today = timezone.localdate()
    _paid_on(today)
    rollups_rebuild(today, today)

    response = reporter.get(f"{DASHBOARD}?from={today}&to={today}&compare=none")

    html = response.content.decode()
    assert '<script src="/static/vendor/chart.js/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/js/analytics-dashboard.js" defer></script>' in html
    assert '<script id="analytics-data" type="application/json">' in html
    assert " style=" not in html
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script or 'type="application/json"' in script, script
    for canvas in re.findall(r"<canvas[^>]*>", html):
        assert 'role="img"' in canvas
        assert "aria-label=" in canvas
    assert response.context["chart_data"]["series"]["orders"]["current"] == [1]
    assert response.context["chart_data"]["series"]["orders"]["comparison"] is None
    assert 'id="daily-table"' in html
    assert "Content-Security-Policy" in response.headers
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_without_chart_js_installed_the_tables_remain(reporter, monkeypatch):
    monkeypatch.setattr("analytics.admin_views.finders.find", lambda path: None)

    response = reporter.get(DASHBOARD)

    html = response.content.decode()
    assert response.status_code == 200
    assert "chart.umd.min.js" not in html
    assert "<canvas" not in html
    assert "The charts are not installed (run npm ci)" in html
    assert '<details class="analytics-details" open>' in html


# --- Queries ---------------------------------------------------------------------------


def _rollups(first: date, days: int, products: list, categories: list) -> None:
    """A busy shop's rollups for ``days`` days from ``first``: every product
    and category sold and viewed, a dozen searches, codes, countries,
    channels and return reasons a day."""
    now = timezone.now()
    sales, product_rows, category_rows, breakdowns = [], [], [], []
    for n in range(days):
        day = first + timedelta(days=n)
        sales.append(
            DailySales(
                day=day,
                orders=20,
                units=40,
                gross=Decimal("800.00"),
                visitors=500,
                product_viewers=300,
                cart_adders=60,
                checkout_starters=30,
                buyers=20,
                computed_at=now,
            )
        )
        product_rows += [
            DailyProduct(day=day, product_id=p.pk, units=2, revenue=Decimal("40.00"), views=30)
            for p in products
        ]
        category_rows += [
            DailyCategory(day=day, category_id=c.pk, units=5, revenue=Decimal("100.00"), views=10)
            for c in categories
        ]
        for dimension in DailyBreakdown.Dimension.values:
            breakdowns += [
                DailyBreakdown(day=day, dimension=dimension, key=f"KEY{k}", count=k + 1, count2=k % 2)
                for k in range(12)
            ]
    DailySales.objects.bulk_create(sales)
    DailyProduct.objects.bulk_create(product_rows)
    DailyCategory.objects.bulk_create(category_rows)
    DailyBreakdown.objects.bulk_create(breakdowns)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert "Nothing in this period." not in response.content.decode()  # every table has rows
    return len(captured)


def test_the_dashboard_runs_the_same_queries_whatever_the_range_and_the_data(reporter):
    today = timezone.localdate()
    products = [ProductFactory.create(title=f"Product {n}") for n in range(15)]
    categories = [CategoryFactory.create(name=f"Category {n}") for n in range(5)]
    _rollups(today, 1, products[:1], categories[:1])
    cache.clear()  # stock cover is kept for a few minutes: measure it each time
    a_day = _queries(reporter, f"{DASHBOARD}?from={today}&to={today}")

    _rollups(today - timedelta(days=400), 400, products, categories)
    cache.clear()
    a_year = _queries(reporter, f"{DASHBOARD}?from={today - timedelta(days=364)}&to={today}&compare=year")
    cache.clear()
    three_months = _queries(reporter, f"{DASHBOARD}?from={today - timedelta(days=89)}&to={today}")
    again = _queries(reporter, f"{DASHBOARD}?from={today - timedelta(days=89)}&to={today}")

    assert a_day == a_year == three_months
    assert a_year <= 30
    assert again < three_months  # stock cover from the cache
