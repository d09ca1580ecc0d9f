from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reviews.services import product_ratings_rebuild, reviewed_product_ids
from shop.progress import command_progress

BATCH_SIZE = 500  # products per transaction


class Command(BaseCommand):
    help = (
        "Recompute every reviewed product's rating (count, average, histogram, the rank 'Top rated' "
        "sorts by) from its published reviews: after a change of REVIEWS_RANK_PRIOR_COUNT or _MEAN."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = reviewed_product_ids()
        with command_progress(
            write=self.stdout.write, unit="product", done_as="products", bar=not options["no_progress"]
        ) as progress:
            for start in range(0, len(ids), BATCH_SIZE):
                product_ratings_rebuild(product_ids=ids[start : start + BATCH_SIZE])
                progress(min(start + BATCH_SIZE, len(ids)), len(ids))
        self.stdout.write(self.style.SUCCESS(f"Ratings recomputed for {len(ids)} products."))
