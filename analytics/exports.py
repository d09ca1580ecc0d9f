"""The reports as files: CSV (one report), XLSX (a sheet per report) and PDF,
written from ``analytics.reports.report_tables``; what the staff download
(``analytics.export_views``), the scheduled email attaches and
``manage.py report_sales`` writes.

Text in a report comes from people (search terms, product titles, return
reasons): a CSV cell that starts like a formula (``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) gets a leading apostrophe, so a spreadsheet shows
it as text instead of running it (OWASP's "CSV injection"); numbers are
never touched. In the XLSX the same text is written as a string cell, which
Excel never evaluates.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from analytics.reports import CENT, Compare, Period, PeriodError, period_parse, report_tables
from analytics.reports import Table as Report
from shop.pdf import HEADER_ROW, pdf_document, text_paragraph

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
COMPARES: tuple[Compare, ...] = ("previous", "year", "none")
# The top lists of a file (products, searches, ...) hold this many rows; the
# days of a range are all there. The PDF, a document to read, stops a report
# after PDF_ROWS rows.
TOP_ROWS = 100
PDF_ROWS = 60
MONEY_FORMAT = "#,##0.00"
ONE_PLACE_FORMAT = "#,##0.0"  # percentages and days of cover
COUNT_FORMAT = "#,##0"
SHEET_NAME_UNSAFE = re.compile(r"[\\/?*\[\]:]")


class ExportError(ValueError):
    """Bad input for an export, with a message for people."""


# --- Cells -----------------------------------------------------------------------------


def _text_safe(text: str) -> str:
    """Text a spreadsheet will not take for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _decimal(value: Decimal) -> Decimal:
    """A figure as the reports mean it: no report has more than two places,
    but a sum on SQLite comes back as ``69.0500000000000``."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    return value


def cell_csv(value: Any) -> str:
    """A cell as CSV text: Decimals plain (``1234.50``), dates ISO, None
    empty, text neutralised (``_text_safe``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{_decimal(value):f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return _text_safe(str(value))


def cell_text(value: Any) -> str:
    """A cell for people to read (the PDF, the email): thousands separated,
    an empty figure as a dash."""
    if value is None:
        return "\u2013"  # an en dash
    if isinstance(value, Decimal):
        return f"{_decimal(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number_format(value: Decimal | int) -> str:
    if isinstance(value, int):
        return COUNT_FORMAT
    exponent = value.as_tuple().exponent
    return ONE_PLACE_FORMAT if isinstance(exponent, int) and exponent == -1 else MONEY_FORMAT


# --- Writers ---------------------------------------------------------------------------


def tables_csv(table: Report) -> bytes:
    """One report as CSV: a header row, then its rows; UTF-8 with a byte
    order mark, so Excel reads the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell_csv(column) for column in table.columns])
    writer.writerows([cell_csv(cell) for cell in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def sheet_names(tables: Sequence[Report]) -> list[str]:
    """A sheet name per table: its title without the characters Excel
    refuses, at most 31 characters, unique (case-insensitively, as Excel
    compares them)."""
    names: list[str] = []
    taken: set[str] = set()
    for table in tables:
        base = " ".join(SHEET_NAME_UNSAFE.sub(" ", table.title).split()).strip("'")[:31] or table.key[:31]
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def tables_xlsx(tables: Sequence[Report]) -> bytes:
    """The reports as a workbook, a sheet each: a bold frozen header,
    numbers as numbers (money with two places), days as dates, columns as
    wide as their content."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table, name in zip(tables, sheet_names(tables), strict=True):
        sheet = workbook.create_sheet(name)
        widths = [len(str(column)) for column in table.columns]
        for col, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=col, value=_xlsx_text(str(column)))
            cell.data_type = "s"
            cell.font = Font(bold=True)
        for row_number, row in enumerate(table.rows, start=2):
            for col, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=col)
                if isinstance(value, Decimal | int) and not isinstance(value, bool):
                    value = _decimal(value) if isinstance(value, Decimal) else value
                    cell.value = value
                    cell.number_format = _number_format(value)
                elif isinstance(value, date):
                    cell.value = value
                    cell.number_format = "yyyy-mm-dd"
                elif value is not None:
                    cell.value = _xlsx_text(str(value))
                    cell.data_type = "s"  # "=..." from a shopper stays text, never a formula
                widths[col - 1] = max(widths[col - 1], len(cell_text(value)))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_text(text: str) -> str:
    # Control characters are not allowed in the file's XML (openpyxl refuses them).
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def tables_pdf(
    tables: Sequence[Report], title: str, period: Period, *, note: str = "", compress: bool = True
) -> bytes:
    """The reports as a document to read: the title, the period, then each
    report with its header (repeated on every page it runs over), cut after
    ``PDF_ROWS`` rows with a word saying so."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("ReportCell", fontSize=8, leading=10)
    buffer = io.BytesIO()
    doc = pdf_document(buffer, title=f"{title} {period}", compress=compress)
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        text_paragraph([_("Period: %(period)s") % {"period": period}, note], styles["BodyText"]),
    ]
    for table in tables:
        story += [Spacer(1, 4 * mm), Paragraph(escape(table.title), styles["Heading3"])]
        if not table.rows:
            story.append(Paragraph(escape(_("Nothing in this period.")), styles["BodyText"]))
            continue
        story.append(_pdf_table(table, small, doc.width))
        if len(table.rows) > PDF_ROWS:
            story.append(
                Paragraph(
                    escape(
                        _("The first %(shown)d of %(total)d rows; the XLSX export has them all.")
                        % {"shown": PDF_ROWS, "total": len(table.rows)}
                    ),
                    styles["Italic"],
                )
            )
    doc.build(story)
    return buffer.getvalue()


def _pdf_table(table: Report, style: Any, width: float) -> Table:
    numeric = [
        all(isinstance(row[col], Decimal | int) or row[col] is None for row in table.rows)
        for col in range(len(table.columns))
    ]
    header = [Paragraph(f"<b>{escape(str(column))}</b>", style) for column in table.columns]
    body = [
        [
            cell_text(value) if numeric[col] else Paragraph(escape(cell_text(value)), style)
            for col, value in enumerate(row)
        ]
        for row in table.rows[:PDF_ROWS]
    ]
    others = len(table.columns) - 1
    other_width = min(32 * mm, width / (others + 1.5)) if others else 0
    result = Table(
        [header, *body], colWidths=[width - others * other_width] + [other_width] * others, repeatRows=1
    )
    commands: list[tuple[Any, ...]] = [
        *HEADER_ROW,
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f4f6")]),
    ]
    commands += [
        ("ALIGN", (col, 1), (col, -1), "RIGHT") for col, is_number in enumerate(numeric) if is_number
    ]
    result.setStyle(TableStyle(commands))
    return result


# --- One export, from a request's or a command's words ----------------------------------


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


def export_build(
    *, first: str | None, last: str | None, fmt: str | None, compare: str | None, report: str | None
) -> Export:
    """The export asked for in words (a query string, a command line):
    ``fmt`` csv (one ``report``, default the summary), xlsx or pdf (every
    report, or the one ``report``). Raises ``ExportError`` with a message."""
    fmt = (fmt or "csv").lower()
    if fmt not in FORMATS:
        raise ExportError(_("The format is csv, xlsx or pdf."))
    compared = compare_parse(compare or "previous")
    if fmt == "csv" and not report:
        report = "summary"
    try:
        period = period_parse(first, last)
    except PeriodError as error:
        raise ExportError(str(error)) from None
    tables = report_tables(period, compare=compared, limit=TOP_ROWS)
    if report:
        tables = [table for table in tables if table.key == report]
        if not tables:
            raise ExportError(_("There is no report %(key)r.") % {"key": report[:40]})
    if fmt == "csv":
        content = tables_csv(tables[0])
    elif fmt == "xlsx":
        content = tables_xlsx(tables)
    else:
        content = tables_pdf(tables, _("Sales report"), period)
    return Export(export_filename(period, fmt, report=report), FORMATS[fmt], content)


def compare_parse(word: str) -> Compare:
    """``previous``, ``year`` or ``none``, as the reports take it."""
    for compare in COMPARES:
        if word == compare:
            return compare
    raise ExportError(_("The comparison is previous, year or none."))


def export_filename(period: Period, fmt: str, *, report: str | None = None) -> str:
    """``sales-2026-11-01-2026-11-30.xlsx``, with the report's key when
    the file holds one report (``sales-2026-11-01-2026-11-30-summary.csv``)."""
    name = f"sales-{period.first:%Y-%m-%d}-{period.last:%Y-%m-%d}"
    if report:
        name += f"-{report}"
    return f"{name}.{fmt}"
