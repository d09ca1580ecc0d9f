"""Generated codes as CSV, for the admin action and the management command."""

import csv
from collections.abc import Iterable
from typing import TextIO

from promotions.models import PromoCode

CSV_COLUMNS = ("code", "kind", "value", "valid_until")


def promo_codes_csv_write(*, codes: Iterable[PromoCode], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for code in codes:
        writer.writerow([code.code, code.kind, code.value, code.ends_at.isoformat() if code.ends_at else ""])
