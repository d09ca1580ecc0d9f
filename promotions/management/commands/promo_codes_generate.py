import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from promotions.exports import promo_codes_csv_write
from promotions.selectors import promo_code_find
from promotions.services import PromotionError, promo_codes_generate


class Command(BaseCommand):
    help = (
        "Generate unique single-use codes with the rules and scope of an existing code, "
        "and write them as CSV (code, kind, value, valid_until) to a file or to stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="template", required=True, help="The code to copy.")
        parser.add_argument("--count", type=int, required=True, help="How many codes.")
        parser.add_argument("--prefix", default="", help="Put before each code, e.g. NEWS-.")
        parser.add_argument("--length", type=int, default=10, help="Random characters per code (default 10).")
        parser.add_argument("--csv", dest="csv_path", help="Write the CSV here (default: stdout).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        template = promo_code_find(code=options["template"])
        if template is None:
            raise CommandError(f"There is no code {options['template']!r}.")
        # The bar goes to stderr, so that the CSV on stdout stays clean.
        bar = tqdm(total=options["count"], unit="code", file=sys.stderr, disable=options["no_progress"])

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        try:
            codes = promo_codes_generate(
                template=template,
                count=options["count"],
                prefix=options["prefix"],
                length=options["length"],
                progress=progress,
            )
        except PromotionError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        if options["csv_path"]:
            path = Path(options["csv_path"])
            with path.open("w", newline="", encoding="utf-8") as file:
                promo_codes_csv_write(codes=codes, out=file)
            self.stderr.write(self.style.SUCCESS(f"{len(codes)} codes ({codes[0].batch}) written to {path}."))
        else:
            out = io.StringIO()
            promo_codes_csv_write(codes=codes, out=out)
            self.stdout.write(out.getvalue(), ending="")
