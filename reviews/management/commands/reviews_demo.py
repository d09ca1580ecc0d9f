from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.demo import demo_reviews_create
from shop.progress import command_progress


class Command(BaseCommand):
    help = (
        "Add believable published reviews by 40 demo reviewer accounts to the demo catalog (seed_demo), "
        "and recompute the ratings of the products reviewed. Idempotent: products that have demo "
        "reviews already are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--products", type=int, help="Only the first N demo products (default: the whole demo catalog)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random content (default 1).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        limit: int | None = options["products"]
        if limit is not None and limit < 0:
            raise CommandError("--products cannot be negative.")
        with command_progress(
            write=self.stdout.write,
            unit="product",
            done_as="products checked",
            bar=not options["no_progress"],
        ) as progress:
            result = demo_reviews_create(products=limit, seed=options["seed"], progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo reviews: {result.reviews_created} reviews created on {result.products_reviewed} of "
                f"{result.products_checked} demo products ({result.votes_created} helpful votes, "
                f"{result.replies_created} shop replies), {result.products_existing} products had them "
                f"already; {result.reviewers_created} reviewer accounts created in {result.seconds:.1f}s."
            )
        )
