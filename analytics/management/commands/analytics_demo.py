from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.demo import NoCatalog, analytics_history_seed
from analytics.rollups import rollups_rebuild
from shop.progress import command_progress


class Command(BaseCommand):
    help = (
        "Add a realistic shop history for the analytics reports: N orders over the last D days (weekly "
        "rhythm, a December peak, slow growth) with demo customers, payments, refunds, returns and about "
        "E visitor events per order, from the existing catalog (run seed_demo first). Running again ADDS "
        "more history (new order numbers, the same demo customers); --reset first deletes the demo's "
        "orders (numbers DEMO-...), their payments, refunds and returns, and the demo visitors' events, "
        "keeping the demo customers (demo.customer.N@example.com)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=2000, help="How many orders (default 2000).")
        parser.add_argument(
            "--days", type=int, default=730, help="Days of history, ending today (default 730)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random history (default 1).")
        parser.add_argument(
            "--events-per-order",
            type=int,
            default=20,
            help="Events per order, counting visitors who do not order (default 20).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo history of earlier runs first."
        )
        parser.add_argument(
            "--no-rollups",
            action="store_true",
            help="Leave the daily rollups alone (by default the days of the history are computed, "
            "so the dashboard shows them).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["orders"] < 0 or options["events_per_order"] < 0:
            raise CommandError("--orders and --events-per-order cannot be negative.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        with command_progress(
            write=self.stdout.write,
            unit="order",
            done_as="orders drawn",
            bar=not options["no_progress"],
        ) as progress:
            try:
                result = analytics_history_seed(
                    orders=options["orders"],
                    days=options["days"],
                    seed=options["seed"],
                    events_per_order=options["events_per_order"],
                    reset=options["reset"],
                    progress=progress,
                )
            except NoCatalog:
                raise CommandError(
                    "The catalog has no active variant to sell: run `manage.py seed_demo` first."
                ) from None
        if options["reset"]:
            self.stdout.write(
                f"Deleted the earlier demo history: {result.orders_deleted} orders, "
                f"{result.events_deleted} events."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo history {result.first_day} to {result.last_day}: {result.orders_created} orders "
                f"({result.lines_created} lines), {result.customers_created} new customers, "
                f"{result.payments_created} payments, {result.refunds_created} refunds, "
                f"{result.returns_created} returns, {result.events_created} events in {result.seconds:.1f}s."
            )
        )
        if options["no_rollups"] or not result.first_day:
            return
        with command_progress(
            write=self.stdout.write, unit="day", done_as="days computed", bar=not options["no_progress"]
        ) as progress:
            days = rollups_rebuild(
                date.fromisoformat(result.first_day), date.fromisoformat(result.last_day), progress=progress
            )
        self.stdout.write(self.style.SUCCESS(f"Rollups of {days} days computed for the dashboard."))
