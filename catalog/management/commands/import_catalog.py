from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importing import FORMATS, CatalogImportError, catalog_file_read, catalog_import, format_for
from shop.progress import command_progress


class Command(BaseCommand):
    help = (
        "Create or update products and variants from a CSV or JSON file (one row per variant, by SKU). "
        "All rows or none: when any row is wrong, nothing is written and every bad row is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file's extension.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            file_format = format_for(path=path, requested=options["format"])
            rows = catalog_file_read(path=path, file_format=file_format)
            with command_progress(
                write=self.stdout.write, unit="row", done_as="rows", bar=not options["no_progress"]
            ) as progress:
                report = catalog_import(
                    rows=rows,
                    reference=f"import:{path.name}",
                    dry_run=options["dry_run"],
                    progress=progress,
                )
        except CatalogImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len({error.row for error in exc.errors})
            raise CommandError(
                f"Nothing was imported: {count} row{'s' if count != 1 else ''} with problems."
            ) from exc
        prefix = "Dry run (nothing written): " if report.dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{report.rows} rows: products {report.products_created} created, "
                f"{report.products_updated} updated, {report.products_unchanged} unchanged; "
                f"variants {report.variants_created} created, {report.variants_updated} updated, "
                f"{report.variants_unchanged} unchanged; {report.stock_movements} stock adjustments."
            )
        )
