from typing import Any

from django.core.management.base import BaseCommand

from shipping.demo import shipping_demo_seed


class Command(BaseCommand):
    help = "Create demo shipping zones and methods (Germany, EU, US, rest of world). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        result = shipping_demo_seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo shipping: {result.zones_created} zones and {result.methods_created} methods created."
            )
        )
