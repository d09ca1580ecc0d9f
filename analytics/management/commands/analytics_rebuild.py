from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.rollups import rollups_rebuild
from shop.progress import command_progress


class Command(BaseCommand):
    help = (
        "Compute the analytics rollups of every day from --from to --to (both included, days of the "
        "shop's TIME_ZONE): a backfill, or after a correction. Idempotent: a day computed again gives "
        "the same rows. Days older than the events' retention keep their visitor figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD (default: today).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first = date.fromisoformat(options["first"])
            last = date.fromisoformat(options["last"]) if options["last"] else timezone.localdate()
        except ValueError:
            raise CommandError("Dates are written as YYYY-MM-DD, for example 2026-03-31.") from None
        if first > last:
            raise CommandError("--from comes after --to.")
        started = timezone.now()
        with command_progress(
            write=self.stdout.write, unit="day", done_as="days computed", bar=not options["no_progress"]
        ) as progress:
            days = rollups_rebuild(first, last, progress=progress)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(self.style.SUCCESS(f"Rollups: {days} days computed in {seconds:.1f}s."))
