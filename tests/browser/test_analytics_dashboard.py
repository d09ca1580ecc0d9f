"""The staff analytics dashboard in real Chromium, at a desktop (1366 px) and
a phone (390 px) width: a member of staff signs in, opens the dashboard for
the last 30 days of orders (rolled up by analytics.rollups), sees the charts
drawn by chart.js (from npm) under the shop's Content-Security-Policy, then
narrows the range with the form and sees the figures and the charts change.
Screenshots of both; axe-core finds no serious violation on the page."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from analytics.models import Event
from analytics.rollups import rollups_rebuild
from orders.models import Order
from tests.browser.conftest import Tab, open_tab
from tests.browser.test_accessibility import RUN_AXE
from tests.conftest import AXE
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.orders.account_helpers import paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "boss@example.com"
WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
# Days back from today on which an order was paid: five in the last 30 days,
# two in the 30 days before (the comparison).
ORDER_DAYS = (1, 2, 6, 12, 25, 33, 50)

CHARTS_DRAWN = """
() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const blank = document.createElement("canvas");
  blank.width = canvas.width;
  blank.height = canvas.height;
  const chart = window.Chart && window.Chart.getChart(canvas);
  return {
    name: canvas.dataset.chart,
    width: canvas.getBoundingClientRect().width,
    painted: canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL(),
    labels: chart ? chart.data.labels.length : 0,
    sums: chart ? chart.data.datasets.map((d) => d.data.reduce((sum, v) => sum + Number(v || 0), 0)) : [],
    first: chart ? chart.data.datasets[0].data.map(Number) : [],
  };
})
"""


@pytest.fixture
def history(settings) -> list[Order]:
    """Paid orders on ORDER_DAYS, shoppers' events for the funnel, and their rollups."""
    settings.ADMIN_REQUIRE_MFA = False
    UserFactory.create(email=STAFF, is_staff=True, is_superuser=True)
    today = timezone.localdate()
    zone = timezone.get_default_timezone()
    orders = []
    for back in ORDER_DAYS:
        order = paid_order(email=f"shopper{back}@example.com")
        paid_at = datetime.combine(today - timedelta(days=back), time(11), tzinfo=zone)
        Order.objects.filter(pk=order.pk).update(paid_at=paid_at, created_at=paid_at)
        orders.append(order)
    steps = [
        (Event.Name.PRODUCT_VIEW, 12),
        (Event.Name.CART_ADD, 6),
        (Event.Name.CHECKOUT_STEP, 4),
        (Event.Name.ORDER_PLACED, 1),
    ]
    Event.objects.bulk_create(
        Event(
            name=name,
            occurred_at=datetime.combine(today - timedelta(days=back), time(10), tzinfo=zone),
            visitor=f"v{back}-{n}",
            slug="lamp",
            reference=f"{name}-{back}-{n}",
        )
        for back in ORDER_DAYS
        for name, visitors in steps
        for n in range(visitors)
    )
    rollups_rebuild(today - timedelta(days=60), today)
    return orders


def _sign_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(STAFF)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _charts(page: Page) -> dict[str, dict]:
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-funnel'))")
    return {chart["name"]: chart for chart in page.evaluate(CHARTS_DRAWN)}


def test_staff_see_the_charts_and_change_the_range(live_server, tab: Tab, history: list[Order]) -> None:
    page = tab.page
    page.set_viewport_size(WIDTHS[tab.viewport])
    today = timezone.localdate()

    _sign_in(page, f"{live_server.url}/accounts/login/?next=/admin/analytics/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Analytics: {today - timedelta(days=29)} to {today}"
    )
    orders = page.locator("#figure-orders")
    expect(orders).to_contain_text("Orders 5")
    expect(orders).to_contain_text("before: 2")
    expect(orders).to_contain_text("up +150.0 %")
    charts = _charts(page)
    assert set(charts) == {"revenue", "orders", "funnel"}
    for chart in charts.values():
        assert chart["painted"], chart
        assert chart["width"] <= WIDTHS[tab.viewport]["width"], chart
    assert charts["orders"]["labels"] == 30
    assert charts["orders"]["sums"] == [5, 2]  # this period's orders, the comparison's
    assert charts["funnel"]["first"] == [12 * 5, 6 * 5, 4 * 5, 1 * 5]
    # Nothing sticks out sideways on a phone: wide tables scroll in their box.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTHS[tab.viewport]["width"]
    tab.screenshot("analytics-01-last-30-days")

    # The last seven days, against the same days a year before.
    page.get_by_label("From", exact=True).fill(str(today - timedelta(days=6)))
    page.get_by_label("To", exact=True).fill(str(today))
    page.get_by_label("Comparison", exact=True).select_option("none")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Analytics: {today - timedelta(days=6)} to {today}"
    )
    expect(orders).to_contain_text("Orders 3")
    expect(page.locator("#figure-orders .analytics-figure-before")).to_have_count(0)
    charts = _charts(page)
    assert charts["orders"]["labels"] == 7
    assert charts["orders"]["sums"] == [3]
    assert charts["revenue"]["painted"]
    page.locator("#daily-heading").scroll_into_view_if_needed()
    tab.screenshot("analytics-02-last-7-days")

    # The period's reports downloaded as the browser saves them: the same figures.
    revenue_shown = page.locator("#figure-revenue .analytics-figure-value").inner_text()
    page.get_by_text("One report as CSV").click()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Summary (CSV)").click()
    assert csv_download.value.suggested_filename.endswith("-summary.csv")
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    figures = {row[0]: row[1] for row in rows[1:]}
    assert figures["Orders"] == "3"
    assert figures["Revenue (net of refunds)"] in revenue_shown.replace(",", "")
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="every report as XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Orders"] == 3
    assert str(summary["Revenue (net of refunds)"]) in revenue_shown.replace(",", "")
    by_day = list(workbook["By day"].iter_rows(min_row=2, values_only=True))
    assert len(by_day) == 7
    assert [row[1] for row in by_day].count(1) == 3  # orders on three of the seven days

    # A figure leads to the list behind it: the orders paid in the period.
    page.locator("#figure-orders a").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    assert tab.problems == []


@pytest.fixture
def unguarded(browser: Browser) -> Iterator[Tab]:
    """The page with the CSP bypassed so that axe (an injected script) may
    run; the journey above keeps the policy and fails on any violation."""
    with open_tab(browser, "desktop", bypass_csp=True) as tab:
        yield tab


@pytest.mark.axe
def test_the_dashboard_has_no_serious_accessibility_violations(
    live_server, unguarded: Tab, history: list[Order]
) -> None:
    page = unguarded.page
    _sign_in(page, f"{live_server.url}/accounts/login/?next=/admin/analytics/")
    _charts(page)
    for width in WIDTHS.values():
        page.set_viewport_size(width)
        page.add_script_tag(path=str(AXE))

        assert page.evaluate(RUN_AXE) == []
