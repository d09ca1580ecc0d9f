"""The reports as files (analytics/exports.py): CSV, XLSX and PDF read back
with the same figures as ``report_tables``; text from shoppers never runs as
a formula; /admin/analytics/export/ is for staff with the reports'
permission and says what is wrong with bad input; ``manage.py report_sales``
for operators."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from analytics.exports import PDF_ROWS, cell_csv, sheet_names, tables_csv, tables_pdf, tables_xlsx
from analytics.reports import Period, Table, report_tables
from tests.analytics.factories import FORMULA_SEARCH, FORMULA_TITLE, reports_staff, sales_today, today
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/analytics/export/"


@pytest.fixture(autouse=True)
def _no_admin_mfa(settings: Any) -> None:
    settings.ADMIN_REQUIRE_MFA = False  # tested in tests/accounts/test_mfa.py


@pytest.fixture
def reports_client() -> Client:
    client = Client()
    client.force_login(reports_staff())
    return client


def _query(**params: str) -> dict[str, str]:
    day = today().isoformat()
    return {"from": day, "to": day, **params}


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _as_read_back(value: Any) -> Any:
    """A report's cell as openpyxl reads it back from the file."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001  # a spreadsheet date has no zone
    return value


def test_the_url_is_named():
    assert reverse("analytics_exports:export") == URL


# --- The files ----------------------------------------------------------------------------


def test_the_csv_holds_the_summary_figures_as_plain_numbers(reports_client):
    orders = sales_today()
    charged = sum((order.total for order in orders), Decimal(0))
    period = Period(today(), today())

    response = reports_client.get(URL, _query(format="csv", compare="none"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="sales-{day}-{day}-summary.csv"'
    rows = _csv_rows(response.content)
    assert rows[0] == ["Figure", str(period)]
    figures = dict(rows[1:])
    assert figures["Orders"] == "2"
    assert figures["Units sold"] == "6"
    assert figures["Charged"] == f"{charged:.2f}"
    assert figures["Revenue (net of refunds)"] == f"{charged:.2f}"
    assert figures["Cart abandonment (%)"] == ""  # nobody added to a cart: no rate, not zero
    (summary, *_others) = report_tables(period, compare="none")
    assert rows[1:] == [[cell_csv(cell) for cell in row] for row in summary.rows]


def test_the_csv_of_one_report_with_a_comparison(reports_client):
    sales_today(title="Desk lamp")

    response = reports_client.get(URL, _query(report="products_revenue"))

    rows = _csv_rows(response.content)
    assert rows[0] == ["Product", "Units", "Revenue", "Views", "Units returned"]
    period = Period(today(), today())
    table = next(t for t in report_tables(period, limit=100) if t.key == "products_revenue")
    assert rows[1:] == [[cell_csv(cell) for cell in row] for row in table.rows]
    assert [row[0] for row in rows[1:]] == ["Desk lamp", table.rows[1][0]]
    assert rows[1][2] == f"{table.rows[0][2]:f}"


def test_the_xlsx_has_a_sheet_per_report_with_numbers_dates_and_a_frozen_bold_header(reports_client):
    sales_today()
    period = Period(today(), today())

    response = reports_client.get(URL, _query(format="xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    day = today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="sales-{day}-{day}.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    tables = report_tables(period, compare="previous", limit=100)
    assert workbook.sheetnames == [table.title for table in tables]
    for table, sheet in zip(tables, workbook.worksheets, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == table.columns, table.key
        assert [list(row) for row in rows[1:]] == [[_as_read_back(c) for c in row] for row in table.rows]
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width >= len(table.columns[0])
    summary = workbook["Summary"]
    orders = next(row for row in summary.iter_rows() if row[0].value == "Orders")
    charged = next(row for row in summary.iter_rows() if row[0].value == "Charged")
    assert (orders[1].data_type, orders[1].value) == ("n", 2)
    assert charged[1].number_format == "#,##0.00"
    by_day = workbook["By day"]
    assert by_day["A2"].is_date
    assert by_day["A2"].value.date() == today()


def test_the_pdf_has_the_title_period_and_each_report(reports_client):
    orders = sales_today(title="Desk lamp")
    charged = sum((order.total for order in orders), Decimal(0))

    response = reports_client.get(URL, _query(format="pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    period = Period(today(), today())
    assert "Sales report" in text
    assert f"Period: {period}" in text
    for table in report_tables(period):
        assert table.title in text
    assert "Desk lamp" in text
    assert f"{charged:,.2f}" in text


def test_a_long_pdf_table_is_cut_and_says_so():
    first = date(2026, 1, 1)
    days = [[first + timedelta(days=n), n, Decimal("1.50")] for n in range(90)]
    table = Table("daily", "By day", ["Day", "Orders", "Charged"], days)

    text = _pdf_text(tables_pdf([table], "Sales report", Period(first, first + timedelta(days=89))))

    assert f"The first {PDF_ROWS} of 90 rows" in text
    assert (first + timedelta(days=PDF_ROWS - 1)).isoformat() in text
    assert (first + timedelta(days=PDF_ROWS)).isoformat() not in text


def test_one_report_alone_in_xlsx_and_pdf(reports_client):
    sales_today()

    xlsx = reports_client.get(URL, _query(format="xlsx", report="searches"))
    pdf = reports_client.get(URL, _query(format="pdf", report="searches"))

    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Top searches"]
    assert "Top products by revenue" not in _pdf_text(pdf.content)
    assert 'filename="sales-' in pdf["Content-Disposition"]
    assert pdf["Content-Disposition"].endswith('-searches.pdf"')


# --- Formulas from shoppers -----------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_neutralised_but_numbers_are_not(reports_client):
    sales_today(title=FORMULA_TITLE)

    products = _csv_rows(reports_client.get(URL, _query(report="products_revenue")).content)
    searches = _csv_rows(reports_client.get(URL, _query(report="searches")).content)
    workbook = openpyxl.load_workbook(io.BytesIO(reports_client.get(URL, _query(format="xlsx")).content))

    assert products[1][0] == "'" + FORMULA_TITLE
    assert searches[1:] == [["lamp", "1", "0"], ["'" + FORMULA_SEARCH, "1", "1"]] or searches[1:] == [
        ["'" + FORMULA_SEARCH, "1", "1"],
        ["lamp", "1", "0"],
    ]
    title_cell = workbook["Top products by revenue"]["A2"]
    assert (title_cell.value, title_cell.data_type) == (FORMULA_TITLE, "s")  # text, never a formula
    search_cells = [row[0] for row in workbook["Top searches"].iter_rows(min_row=2)]
    assert {cell.data_type for cell in search_cells} == {"s"}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("lamp = light", "lamp = light"),
        (Decimal("-12.5"), "-12.5"),
        (-3, "-3"),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("1E+3"), "1000"),
        (None, ""),
        (date(2026, 11, 30), "2026-11-30"),
    ],
)
def test_a_csv_cell(value, written):
    assert cell_csv(value) == written


def test_a_csv_round_trips_quotes_commas_and_line_breaks():
    table = Table("searches", "Top searches", ["Search", "Searches"], [['a "b", c\nd', 2], ["é", 1]])

    rows = _csv_rows(tables_csv(table))

    assert rows == [["Search", "Searches"], ['a "b", c\nd', "2"], ["é", "1"]]


def test_sheet_names_are_short_unique_and_legal():
    tables = [
        Table("a", "Top products by revenue, the long version of it", [], []),
        Table("b", "Top products by revenue, the long version of it", [], []),
        Table("c", "Returns: reasons / why [all]?", [], []),
    ]

    names = sheet_names(tables)

    assert names == [
        "Top products by revenue, the lo",
        "Top products by revenue, th (2)",
        "Returns reasons why all",
    ]
    assert all(len(name) <= 31 for name in names)


def test_control_characters_do_not_break_the_workbook():
    table = Table("searches", "Top searches", ["Search"], [["lamp\x00\x1b"]])

    sheet = openpyxl.load_workbook(io.BytesIO(tables_xlsx([table])))["Top searches"]

    assert sheet["A2"].value == "lamp"


# --- Who may download ------------------------------------------------------------------------


def test_anonymous_visitors_and_customers_are_sent_to_the_admin_login(client):
    anonymous = client.get(URL, _query())
    client.force_login(UserFactory.create())
    customer = client.get(URL, _query())

    for response in (anonymous, customer):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert "Content-Disposition" not in response


def test_staff_without_the_reports_permission_get_403(client):
    client.force_login(UserFactory.create(is_staff=True))

    for fmt in ("csv", "xlsx", "pdf"):
        assert client.get(URL, _query(format=fmt)).status_code == 403


def test_staff_with_the_permission_and_superusers_get_the_file(reports_client, staff_client):
    assert reports_client.get(URL, _query()).status_code == 200
    assert staff_client.get(URL, _query(format="xlsx")).status_code == 200


def test_an_inactive_staff_member_gets_nothing(client):
    client.force_login(reports_staff())
    client.session.flush()
    user = reports_staff(is_active=False)
    client.force_login(user)

    response = client.get(URL, _query())

    assert response.status_code == 302
    assert "Content-Disposition" not in response


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"from": "2026-13-01", "to": "2026-12-01"}, "Dates are written as YYYY-MM-DD"),
        ({"from": "yesterday"}, "Dates are written as YYYY-MM-DD"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "The first day comes after the last day."),
        ({"from": "2020-01-01", "to": "2026-12-01"}, "A report covers at most three years."),
        ({"format": "docx"}, "The format is csv, xlsx or pdf."),
        ({"compare": "decade"}, "The comparison is previous, year or none."),
        ({"report": "salaries"}, "There is no report 'salaries'."),
        ({"format": "xlsx", "report": "<script>"}, "There is no report '<script>'."),
    ],
)
def test_bad_input_is_a_400_saying_why(reports_client, params, reason):
    response = reports_client.get(URL, {**_query(), **params})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert reason in response.content.decode()


def test_without_dates_the_last_30_days(reports_client):
    response = reports_client.get(URL, {"format": "csv"})

    start = today() - timedelta(days=29)
    assert response.status_code == 200
    assert (
        f'filename="sales-{start.isoformat()}-{today().isoformat()}-summary.csv"'
        in response["Content-Disposition"]
    )


def test_a_post_is_refused(reports_client):
    assert reports_client.post(URL, _query()).status_code == 405


# --- manage.py report_sales ----------------------------------------------------------------


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("report_sales", *args, stdout=out)
    return out.getvalue()


def test_report_sales_writes_csv_to_stdout():
    sales_today()
    day = today().isoformat()

    out = _command("--from", day, "--to", day, "--compare", "none")

    rows = list(csv.reader(io.StringIO(out)))
    (summary, *_others) = report_tables(Period(today(), today()))
    assert rows[1:] == [[cell_csv(cell) for cell in row] for row in summary.rows]
    assert dict(rows[1:])["Orders"] == "2"


def test_report_sales_writes_xlsx_and_pdf_files(tmp_path):
    sales_today(title="Desk lamp")
    day = today().isoformat()

    out_xlsx = _command("--from", day, "--to", day, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    out_pdf = _command(
        "--from",
        day,
        "--to",
        day,
        "--format",
        "pdf",
        "--report",
        "products_units",
        "--output",
        str(tmp_path / "r.pdf"),
    )
    out_csv = _command("--from", day, "--to", day, "--report", "daily", "--output", str(tmp_path / "d.csv"))

    assert f"Wrote {tmp_path / 'r.xlsx'}" in out_xlsx
    assert f"Wrote {tmp_path / 'r.pdf'}" in out_pdf
    assert f"Wrote {tmp_path / 'd.csv'}" in out_csv
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx")
    figures = {
        row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, max_col=2, values_only=True)
    }
    assert figures["Orders"] == 2
    text = _pdf_text((tmp_path / "r.pdf").read_bytes())
    assert "Top products by units" in text
    assert "Desk lamp" in text
    assert _csv_rows((tmp_path / "d.csv").read_bytes())[1][:2] == [day, "2"]


def test_report_sales_names_a_binary_file_after_the_period_without_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    day = today().isoformat()

    out = _command("--from", day, "--to", day, "--format", "pdf")

    written = tmp_path / f"sales-{day}-{day}.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert str(written) in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30", "--to", "2026-03-01"], "Dates are written as YYYY-MM-DD"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "The first day comes after the last day."),
        (["--from", "2026-03-01", "--to", "2026-03-02", "--report", "nope"], "There is no report 'nope'."),
        (["--from", "2026-03-01", "--to", "2026-03-02", "--format", "doc"], "invalid choice: 'doc'"),
        (
            ["--from", "2026-03-01", "--to", "2026-03-02", "--format", "xlsx", "--output", "-"],
            "give --output",
        ),
        (
            ["--from", "2026-03-01", "--to", "2026-03-02", "--output", "/nonexistent/dir/x.csv"],
            "Cannot write",
        ),
        (["--to", "2026-03-02"], "the following arguments are required: --from"),
    ],
)
def test_report_sales_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace("?", r"\?")):
        _command(*args)
