"""What the checkout's pages show beside each step: the items and the
breakdown of ``checkout_state``, in rows a template can loop over."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from accounts.addressing import ADDRESS_FIELDS, address_format_lines
from cart.pricing import Breakdown
from orders.checkout.steps import CheckoutState
from orders.models import Order


@dataclass(frozen=True)
class SummaryRow:
    title: str
    quantity: int
    subtotal: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True)
class TaxRow:
    rate: str  # "19" or "7.25"
    amount: Decimal


@dataclass(frozen=True)
class CheckoutSummary:
    rows: list[SummaryRow]
    breakdown: Breakdown
    shipping_name: str = ""

    @property
    def count(self) -> int:
        return sum(row.quantity for row in self.rows)

    @property
    def tax_rows(self) -> list[TaxRow]:
        return [TaxRow(percent(rate), amount) for rate, amount in self.breakdown.tax_by_rate]


def checkout_summary(state: CheckoutState) -> CheckoutSummary:
    priced = {line.key: line for line in state.breakdown.lines}
    rows = [
        SummaryRow(
            title=line.title,
            quantity=line.quantity,
            subtotal=priced[line.pk].subtotal,
            discount=priced[line.pk].discount,
            total=priced[line.pk].total,
        )
        for line in state.lines
        if line.pk in priced
    ]
    return CheckoutSummary(
        rows=rows, breakdown=state.breakdown, shipping_name=state.option.name if state.option else ""
    )


def order_tax_rows(order: Order) -> list[TaxRow]:
    return [TaxRow(percent(Decimal(rate)), Decimal(amount)) for rate, amount in order.tax_by_rate]


def address_lines(address: Mapping[str, str]) -> list[str]:
    """A stored address (a checkout's or an order's) as its country writes it."""
    if not address:
        return []
    return address_format_lines({name: str(address.get(name, "")) for name in ADDRESS_FIELDS})


def percent(rate: Decimal) -> str:
    """19.000 -> "19", 7.250 -> "7.25"."""
    return f"{rate.normalize():f}"
