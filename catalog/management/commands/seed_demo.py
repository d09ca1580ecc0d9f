from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.seeding import demo_catalog_seed
from shop.progress import command_progress


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
        with command_progress(
            write=self.stdout.write,
            unit="product",
            done_as="products checked",
            bar=not options["no_progress"],
        ) as progress:
            result = demo_catalog_seed(products=total, seed=options["seed"], progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog: {result.products_created} products created "
                f"({result.variants_created} variants), {result.products_existing} already there; "
                f"{result.categories_created} categories, {result.brands_created} brands, "
                f"{result.tags_created} tags, {result.images_created} images created "
                f"in {result.seconds:.1f}s."
            )
        )
