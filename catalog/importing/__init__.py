"""Catalog import and export: one row per variant, in CSV or JSON.

An import creates or updates products by slug and variants by SKU, all rows
or none: every row is validated first, and when any row is wrong nothing is
written and ``CatalogImportError`` lists every problem as "row 7, price: 'abc'
is not a number". Rows are numbered as a spreadsheet shows them (the CSV
header is row 1, so the first product is row 2); in JSON, row 1 is the
first object of the list. A dry run does the whole import in a transaction
that is rolled back, so its report is exact and nothing stays.

Stock changes go through ``catalog.stock.stock_adjust`` (reason
``adjustment``, reference ``import:<file name>``), so the ledger stays true.
``catalog_export`` writes the same format, so export, import and export
again give the same file.
"""

from catalog.importing.export import catalog_export, catalog_export_rows
from catalog.importing.rows import (
    COLUMNS,
    FORMATS,
    CatalogImportError,
    Format,
    ImportReport,
    RawRow,
    RowError,
    catalog_file_read,
    catalog_rows_read,
    format_for,
)
from catalog.importing.writing import catalog_import

__all__ = (
    "COLUMNS",
    "FORMATS",
    "CatalogImportError",
    "Format",
    "ImportReport",
    "RawRow",
    "RowError",
    "catalog_export",
    "catalog_export_rows",
    "catalog_file_read",
    "catalog_import",
    "catalog_rows_read",
    "format_for",
)
