"""An order's invoice as a PDF, drawn with ReportLab (pure Python: no system
libraries to install, unlike WeasyPrint's Pango).

The invoice is made from the order's snapshot only (lines, tax per rate,
totals, addresses as frozen at purchase), so it reads the same every time it
is asked for; the seller's details come from settings (``SHOP_NAME``,
``SHOP_ADDRESS``, ``SHOP_VAT_ID``).
"""

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from orders.models import Order
from orders.pages import address_lines, order_tax_rows
from shop.pdf import FONT_BOLD, HEADER_ROW, pdf_document, text_paragraph

S = Order.Status
# Money was taken: the order is invoiced (a cancelled order that was paid keeps its invoice).
INVOICE_STATUSES = frozenset({S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.COMPLETED})


def _money(order: Order, amount: Decimal | str) -> str:
    return f"{order.currency} {Decimal(amount):.2f}"


def order_invoice_pdf(*, order: Order, compress: bool = True) -> bytes:
    """The invoice of a paid order, as PDF bytes (``compress=False`` leaves
    the page text readable in the file, for tests)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = BytesIO()
    doc = pdf_document(buffer, title=_("Invoice %(number)s") % {"number": order.number}, compress=compress)
    seller = [settings.SHOP_NAME, *(part.strip() for part in settings.SHOP_ADDRESS.split(";"))]
    if settings.SHOP_VAT_ID:
        seller.append(_("VAT ID: %(id)s") % {"id": settings.SHOP_VAT_ID})
    issued = order.paid_at or order.created_at
    story: list[object] = [
        Paragraph(escape(_("Invoice %(number)s") % {"number": order.number}), styles["Title"]),
        Table(
            [
                [
                    text_paragraph(seller, body),
                    text_paragraph(
                        [
                            _("Invoice number: %(number)s") % {"number": order.number},
                            _("Order date: %(date)s") % {"date": f"{order.created_at:%Y-%m-%d}"},
                            _("Invoice date: %(date)s") % {"date": f"{issued:%Y-%m-%d}"},
                        ],
                        body,
                    ),
                ]
            ],
            colWidths=["50%", "50%"],
        ),
        Spacer(1, 6 * mm),
        Table(
            [
                [
                    Paragraph(escape(_("Billed to")), styles["Heading4"]),
                    Paragraph(escape(_("Shipped to")), styles["Heading4"]),
                ],
                [
                    text_paragraph([*address_lines(order.billing_address), order.email], body),
                    text_paragraph(address_lines(order.shipping_address), body),
                ],
            ],
            colWidths=["50%", "50%"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows: list[list[object]] = [[_("Item"), _("SKU"), _("Qty"), _("Unit price"), _("VAT"), _("Total")]]
    for line in order.lines.all():
        rows.append(
            [
                Paragraph(escape(line.product_title), body),
                line.sku,
                str(line.quantity),
                _money(order, line.unit_price),
                f"{line.tax_rate.normalize():f} %",
                _money(order, line.total),
            ]
        )
    table = Table(rows, colWidths=[None, 28 * mm, 12 * mm, 26 * mm, 16 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                *HEADER_ROW,
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), _totals(order)]
    doc.build(story)
    return buffer.getvalue()


def _totals(order: Order) -> Table:
    rows: list[list[str]] = [[_("Subtotal"), _money(order, order.subtotal)]]
    rows += [[str(d.get("label", "")), "- " + _money(order, d.get("amount", "0"))] for d in order.discounts]
    rows.append(
        [
            _("Shipping (%(method)s)") % {"method": order.shipping_method.get("name", "")},
            _money(order, order.shipping_price),
        ]
    )
    taxes = [
        [
            (_("incl. VAT %(rate)s %%") if order.prices_include_tax else _("VAT %(rate)s %%"))
            % {"rate": tax.rate},
            _money(order, tax.amount),
        ]
        for tax in order_tax_rows(order)
    ] or [[_("VAT"), _money(order, order.tax_total)]]
    if order.prices_include_tax:
        rows += [[_("Total"), _money(order, order.total)], *taxes]
    else:
        rows += [*taxes, [_("Total"), _money(order, order.total)]]
    total_row = next(i for i, row in enumerate(rows) if row[0] == _("Total"))
    table = Table(rows, colWidths=[None, 32 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONTNAME", (0, total_row), (-1, total_row), FONT_BOLD),
                ("LINEABOVE", (0, total_row), (-1, total_row), 0.5, colors.black),
            ]
        )
    )
    return table
