"""The shop's PDF documents (an order's invoice, the sales reports), drawn
with ReportLab: pure Python, no system libraries to install.

One page for all of them: A4, 18 mm margins, the shop as author, and
ReportLab's built-in Helvetica. Helvetica is written in WinAnsi, so Western
European text (é, ü, ß, €) prints as typed, while a letter outside it (Ł,
Cyrillic, CJK) prints as a box: embedding a Unicode TrueType font here would
cover every document at once.
"""

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
MARGIN = 18 * mm

# A table's first row as a header: bold, ruled below.
HEADER_ROW: list[tuple[Any, ...]] = [
    ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
]


def pdf_document(buffer: BytesIO, *, title: str, compress: bool = True) -> SimpleDocTemplate:
    """A document on the shop's page, written to ``buffer`` when built
    (``compress=False`` leaves the page text readable in the file, for tests)."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=settings.SHOP_NAME,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        pageCompression=1 if compress else 0,
    )


def text_paragraph(lines: list[str], style: object) -> Paragraph:
    """Lines of plain text (escaped: a title may hold ``<`` or ``&``) as one
    paragraph, empty lines left out."""
    return Paragraph("<br/>".join(escape(line) for line in lines if line), style)
