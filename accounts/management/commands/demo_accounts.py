from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import demo_accounts_create


class Command(BaseCommand):
    help = "Create the demo staff and customer accounts (idempotent) and print their credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        for account in demo_accounts_create():
            self.stdout.write(
                f"{account.role:<9} {account.email:<24} password: {account.password}"
                + (" (created)" if account.created else "")
            )
