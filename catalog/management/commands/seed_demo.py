import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.seeding import demo_catalog_seed


class Command(BaseCommand):
    help = (
        "Create a realistic demo catalog of N products (categories, brands, tags, options, variants, "
        "stock, images). Idempotent: running again adds only the missing products."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=200, help="How many products (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random content (default 1).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        total: int = options["products"]
        if total < 0:
            raise CommandError("--products cannot be negative.")
        show_bar = not options["no_progress"] and sys.stderr.isatty()
        bar = tqdm(total=total, unit="product", file=sys.stderr, disable=not show_bar)
        started = time.monotonic()
        last_line = 0.0

        def progress(done: int, of: int) -> None:
            nonlocal last_line
            bar.update(done - bar.n)
            now = time.monotonic()
            # A line every ten seconds in any case, for logs and CI.
            if not show_bar and (now - last_line >= 10 or done == of):
                last_line = now
                self.stdout.write(f"  {done}/{of} products checked ({now - started:.0f}s)")

        try:
            result = demo_catalog_seed(products=total, seed=options["seed"], progress=progress)
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog: {result.products_created} products created "
                f"({result.variants_created} variants), {result.products_existing} already there; "
                f"{result.categories_created} categories, {result.brands_created} brands, "
                f"{result.tags_created} tags, {result.images_created} images created "
                f"in {result.seconds:.1f}s."
            )
        )
