"""Tax rates for the demo shop: Germany (the default tax country), a few EU
neighbours and two US states, so every worked example can be tried."""

from decimal import Decimal

from django.core.management.base import BaseCommand

from cart.models import TaxRate
from cart.services import tax_rate_save
from catalog.taxes import TaxClass

RATES = [
    # country, region, standard, reduced, name
    ("DE", "", "19", "7", "VAT"),
    ("AT", "", "20", "10", "VAT"),
    ("FR", "", "20", "5.5", "VAT"),
    ("NL", "", "21", "9", "VAT"),
    ("US", "NY", "8.875", "0", "Sales tax"),
    ("US", "CA", "7.25", "0", "Sales tax"),
]


class Command(BaseCommand):
    help = "Create the demo tax rates (idempotent: existing rates are left as they are)."

    def handle(self, *args: object, **options: object) -> None:
        created = 0
        for country, region, standard, reduced, name in RATES:
            for tax_class, rate in (
                (TaxClass.STANDARD, standard),
                (TaxClass.REDUCED, reduced),
                (TaxClass.ZERO, "0"),
            ):
                where = {"country": country, "region": region, "tax_class": tax_class}
                if TaxRate.objects.filter(**where).exists():
                    continue
                tax_rate_save(rate=TaxRate(**where, rate=Decimal(rate), name=name))
                created += 1
        self.stdout.write(f"{created} tax rates created.")
