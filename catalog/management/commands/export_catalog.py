import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.importing import FORMATS, CatalogImportError, catalog_export, format_for
from catalog.models import Product


class Command(BaseCommand):
    help = "Write the whole catalog to a CSV or JSON file in the format import_catalog reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write; '-' for standard output.")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file's extension.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        to_stdout = str(path) == "-"
        try:
            file_format = format_for(path=path, requested=options["format"] or ("csv" if to_stdout else None))
        except CatalogImportError as exc:
            raise CommandError(str(exc)) from exc
        bar = tqdm(
            total=Product.objects.count(),
            unit="product",
            file=sys.stderr,
            disable=options["no_progress"] or not sys.stderr.isatty(),
        )

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        try:
            if to_stdout:
                catalog_export(stream=sys.stdout, file_format=file_format)
                return
            with path.open("w", encoding="utf-8", newline="") as stream:
                count = catalog_export(stream=stream, file_format=file_format, progress=progress)
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"{count} rows written to {path}."))
