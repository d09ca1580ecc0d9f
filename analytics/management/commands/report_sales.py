from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.exports import COMPARES, FORMATS, ExportError, export_build


class Command(BaseCommand):
    help = (
        "Write the sales reports of --from to --to (both included, days of the shop's TIME_ZONE) as "
        "CSV (one report, --report, default summary), XLSX or PDF (every report, or the one --report). "
        "CSV goes to stdout without --output; XLSX and PDF to --output or a file named after the period "
        "in the current directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--report", help="One report by its key, e.g. summary, daily, products_revenue.")
        parser.add_argument("--compare", choices=COMPARES, default="previous")
        parser.add_argument("--output", help="The file to write ('-' for stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            export = export_build(
                first=options["first"],
                last=options["last"],
                fmt=options["fmt"],
                compare=options["compare"],
                report=options["report"],
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        output = options["output"]
        if output == "-" or (output is None and options["fmt"] == "csv"):
            if options["fmt"] != "csv":
                raise CommandError("XLSX and PDF are files: give --output PATH.")
            self.stdout.write(export.content.decode("utf-8-sig"), ending="")
            return
        path = Path(output or export.filename)
        try:
            path.write_bytes(export.content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {path.resolve()} ({len(export.content):,} bytes)."))
