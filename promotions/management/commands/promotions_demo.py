from typing import Any

from django.core.management.base import BaseCommand

from promotions.demo import promotions_demo_create


class Command(BaseCommand):
    help = (
        "Create demo promotions (codes WELCOME10 and FREESHIP, 20% off the first featured category "
        "for a week) and refresh sale prices. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = promotions_demo_create()
        created = ", ".join(result.created) or "nothing new"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo promotions: created {created}; {result.products_on_offer} products on offer."
            )
        )
