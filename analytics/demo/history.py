"""Drawing the demo history day by day into plain rows: customers, orders
with their lines, payments, refunds, returns, and what the visitors did.

Money is whole cents (``int``) while drawing and follows the rules of the
cart's one pricing function (``cart.pricing.price``) for what the demo uses:
percentage codes off each line's subtotal, free shipping, tax per line and
on shipping, inside the price when prices include tax, rounded half up once
per line. The tests check every demo order against ``price()`` itself; doing
the arithmetic on integers here is what lets a million orders be priced in
seconds instead of minutes.

An order's life follows the status machine by its age against now: paid
orders ship after one to three days, arrive one to four days later and are
``completed`` when the 14-day return window has passed. Refunds, returns and
cancellations happen only when their moment has already come.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from analytics.demo.calendar import second_picks
from analytics.demo.rows import Clock, cents_text, json_text
from analytics.demo.shelf import PICK_BITS, Shelf, pick_table
from analytics.demo.vocabulary import (
    BLACKFRIDAY20,
    CARD_BRAND_WEIGHTS,
    CARD_BRANDS,
    COUNTRIES,
    EU,
    EU_STANDARD,
    EXPRESS,
    FIRST_NAMES,
    FREE_OVER_CENTS,
    FREESHIP,
    INTERNATIONAL,
    LAST_NAMES,
    NEWSLETTER10,
    REFUND_REASONS,
    RETURN_REASON_WEIGHTS,
    RETURN_REASONS,
    SOURCE_WEIGHTS,
    SOURCES,
    STANDARD,
    STANDARD_FREE,
    TAX_RATES,
    US_PRIORITY,
    WELCOME10,
    XMAS15,
    Code,
    Country,
    Method,
)

DAY = 86400
HOUR = 3600
RETURN_WINDOW = 14 * DAY

ORDER_NUMBER_PREFIX = "DEMO-"
CUSTOMER_EMAIL_PREFIX = "demo.customer."
GUEST_EMAIL_PREFIX = "demo.guest."
EMAIL_DOMAIN = "@example.com"
# Every demo visitor's pseudonym starts with these 12 hex digits, so --reset
# finds the demo's events; a real pseudonym (an HMAC) starts so once in 2**48.
VISITOR_PREFIX = "de30de30de30"

# The shares that shape the history.
REGISTERED_SHARE = 0.40  # of orders, by a signed-in customer
REGISTERED_REPEAT = 0.375  # of those, by a customer who ordered before
GUEST_REPEAT = 0.25  # of guest orders, by an email seen before
ABANDONED_AT_PAYMENT = 0.035  # pending_payment, never paid
PAYMENT_FAILED = 0.01
CANCELLED_AFTER_PAYMENT = 0.025  # cancelled before shipping, refunded in full
GOODWILL_REFUND = 0.04  # of paid orders
RETURNED = 0.05  # of delivered orders
RETURN_REJECTED = 0.08

ORDER_FIELDS = (
    "id", "number", "user", "email", "status", "currency", "prices_include_tax", "subtotal",
    "discount_total", "shipping_price", "shipping_discount", "shipping_tax", "tax_total", "total",
    "discounts", "promo_codes", "tax_by_rate", "shipping_address", "billing_address", "shipping_method",
    "fingerprint", "created_at", "paid_at", "cancelled_at", "delivered_at",
)  # fmt: skip
LINE_FIELDS = (
    "id", "order", "variant", "product_title", "sku", "unit_price", "quantity", "subtotal", "discount",
    "tax_rate", "tax", "total", "quantity_shipped", "quantity_returned",
)  # fmt: skip
PAYMENT_FIELDS = (
    "id", "order_reference", "gateway", "gateway_reference", "attempt", "amount", "currency", "email",
    "status", "captured_amount", "refunded_amount", "card_brand", "card_last4", "failure_message",
    "created_at", "updated_at",
)  # fmt: skip
REFUND_FIELDS = (
    "payment", "amount", "reason", "gateway_reference", "status", "idempotency_key", "created_at",
)  # fmt: skip
RETURN_FIELDS = ("id", "order", "number", "status", "reason", "staff_note", "created_at", "updated_at")
RETURN_LINE_FIELDS = ("return_request", "order_line", "quantity")
EVENT_FIELDS = (
    "name", "occurred_at", "visitor", "user_id", "product_id", "slug", "reference", "quantity", "value",
    "query", "results", "step", "source",
)  # fmt: skip
USER_FIELDS = (
    "id", "password", "is_superuser", "first_name", "last_name", "is_staff", "is_active", "date_joined",
    "email", "phone",
)  # fmt: skip


@dataclass
class Rows:
    """One batch of rows, per table, in the order of the ``*_FIELDS`` above."""

    users: list[tuple[Any, ...]] = field(default_factory=list)
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)
    refunds: list[tuple[Any, ...]] = field(default_factory=list)
    returns: list[tuple[Any, ...]] = field(default_factory=list)
    return_lines: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


class IdSource:
    """Primary keys handed out one by one, fetched from the table's sequence
    in blocks (``take_block``) so that a row knows its id when drawn."""

    def __init__(self, take_block: Any) -> None:
        self._take_block = take_block
        self._ids: list[int] = []

    def next(self) -> int:
        if not self._ids:
            self._ids = self._take_block()
            self._ids.reverse()
        return self._ids.pop()


@dataclass
class Settings:
    currency: str
    prices_include_tax: bool
    events_per_order: int
    codes_source: dict[str, str]  # code -> the breakdown's key ("code:<pk>")


class HistoryDraw:
    """Draws days of history into ``rows``; ``rows`` is emptied by the caller
    after writing each batch."""

    def __init__(
        self,
        *,
        rng: random.Random,
        shelf: Shelf,
        clock: Clock,
        now: int,
        ids: dict[str, IdSource],
        settings: Settings,
        customers: list[tuple[int, int]],
        next_customer: int,
        next_order: int,
    ) -> None:
        self.rng = rng
        self.shelf = shelf
        self.clock = clock
        self.now = now
        self.ids = ids
        self.settings = settings
        self.rows = Rows()
        # Customers who can order again, (user id, index in their email):
        # demo users of earlier runs, then those this run signs up.
        self.customers = customers
        self.next_customer = next_customer  # the index in the next customer's email
        self.guests = 0
        self.next_order = next_order
        self.orders_made = 0
        self.customers_made = 0
        self.seconds = second_picks(rng)
        self.countries = pick_table(COUNTRIES, [c.weight for c in COUNTRIES])
        self.sources = pick_table(SOURCES, SOURCE_WEIGHTS)
        self.cards = pick_table(CARD_BRANDS, CARD_BRAND_WEIGHTS)
        self.return_reasons = pick_table(RETURN_REASONS, RETURN_REASON_WEIGHTS)
        self.lines_per_order = pick_table((1, 2, 3, 4, 5), (50, 28, 13, 6, 3))
        self.quantities = pick_table((1, 2, 3), (85, 11, 4))
        self.code_of: dict[str, dict[str, str]] = {}

    # --- Small draws -------------------------------------------------------------------

    def _pick[T](self, table: list[T]) -> T:
        return table[self.rng.getrandbits(PICK_BITS)]

    def _item(self) -> int:
        """An item index: a product by popularity, then one of its variants."""
        first = self.shelf.item_picks[self.rng.getrandbits(PICK_BITS)]
        siblings = self.shelf.siblings[first]
        return siblings[int(self.rng.random() * len(siblings))] if len(siblings) > 1 else first

    def _anonymous_visitor(self) -> str:
        return f"{VISITOR_PREFIX}{self.rng.getrandbits(80):020x}"

    # --- A day -----------------------------------------------------------------------

    def day(self, *, day: date, start: int, orders: int, today_until: int | None) -> None:
        """Draw ``orders`` orders on ``day`` (from second ``start``) and the
        day's other visitors; ``today_until`` is the last second for today."""
        budget = orders * self.settings.events_per_order
        events_before = len(self.rows.events)
        span = DAY if today_until is None else max(today_until - start, 1)
        for _ in range(orders):
            second = self.seconds[self.rng.getrandbits(PICK_BITS)]
            at = start + (second if today_until is None else second * span // DAY)
            self._order(day=day, at=at)
        # Everyone else who came by: browsing, bouncing, leaving a cart.
        while len(self.rows.events) - events_before < budget:
            second = self.seconds[self.rng.getrandbits(PICK_BITS)]
            at = start + (second if today_until is None else second * span // DAY)
            self._visit(at=at)

    # --- An order --------------------------------------------------------------------

    def _customer(self, at: int) -> tuple[int | None, int, str]:
        """Who orders: (user id or None, index for name and address, email)."""
        rng = self.rng
        if rng.random() < REGISTERED_SHARE:
            if self.customers and rng.random() < REGISTERED_REPEAT:
                user_id, index = self.customers[int(rng.random() * len(self.customers))]
                return user_id, index, f"{CUSTOMER_EMAIL_PREFIX}{index:08d}{EMAIL_DOMAIN}"
            index = self.next_customer
            self.next_customer += 1
            user_id = self.ids["user"].next()
            email = f"{CUSTOMER_EMAIL_PREFIX}{index:08d}{EMAIL_DOMAIN}"
            first, last = self._name(index)
            self.rows.users.append(
                (user_id, f"!{rng.getrandbits(160):040x}", False, first, last, False, True,
                 self.clock.text(at - _within(rng, 60, 600)), email, "")
            )  # fmt: skip
            self.customers.append((user_id, index))
            self.customers_made += 1
            return user_id, -index, email  # negative: a new customer, signing up now
        if self.guests and rng.random() < GUEST_REPEAT:
            index = _within(rng, 1, self.guests + 1)
        else:
            self.guests += 1
            index = self.guests
        return None, index + 50_000_000, f"{GUEST_EMAIL_PREFIX}{index:08d}{EMAIL_DOMAIN}"

    @staticmethod
    def _name(index: int) -> tuple[str, str]:
        return FIRST_NAMES[index * 7 % len(FIRST_NAMES)], LAST_NAMES[index * 13 % len(LAST_NAMES)]

    def _address(self, index: int) -> tuple[Country, dict[str, str]]:
        """The person's address, the same for every order of theirs."""
        country = self.countries[index * 2654435761 % (1 << PICK_BITS)]
        city, postal_code, region = country.places[index % len(country.places)]
        first, last = self._name(index)
        street = country.street_names[index * 31 % len(country.street_names)]
        return country, {
            "full_name": f"{first} {last}",
            "company_name": "",
            "street_address_1": f"{street} {index % 97 + 1}",
            "street_address_2": "",
            "city": city,
            "city_area": "",
            "postal_code": postal_code,
            "country_code": country.code,
            # The brief of issue 18 names the country "country"; real orders
            # have "country_code" (accounts.addressing.ADDRESS_FIELDS). Both.
            "country": country.code,
            "country_area": region,
        }

    def _method(self, country: str, subtotal: int) -> Method:
        if country == "DE":
            if self.rng.random() < 0.12:
                return EXPRESS
            return STANDARD_FREE if subtotal >= FREE_OVER_CENTS else STANDARD
        if country in EU:
            return EU_STANDARD
        return US_PRIORITY if country == "US" else INTERNATIONAL

    def _code(self, *, day: date, new_customer: bool, source: str, subtotal: int) -> Code | None:
        rng = self.rng
        chosen: Code | None = None
        if new_customer and rng.random() < 0.5:
            chosen = WELCOME10
        elif source == "newsletter" and rng.random() < 0.5:
            chosen = NEWSLETTER10
        elif day.month == 11 and day.day >= 22 and rng.random() < 0.3:
            chosen = BLACKFRIDAY20
        elif day.month == 12 and day.day <= 22 and rng.random() < 0.08:
            chosen = XMAS15
        elif rng.random() < 0.04:
            chosen = FREESHIP
        if chosen is not None and subtotal < chosen.min_subtotal_cents:
            return None
        return chosen

    def _order(self, *, day: date, at: int) -> None:
        rng = self.rng
        rows = self.rows
        shelf = self.shelf
        user_id, person, email = self._customer(at)
        new_customer = person < 0
        person = abs(person)
        country, address = self._address(person)
        source = self._pick(self.sources) if rng.random() < 0.15 else ""

        # The cart: distinct variants, popular ones more often.
        chosen: dict[int, int] = {}
        for _ in range(self._pick(self.lines_per_order)):
            chosen.setdefault(self._item(), self._pick(self.quantities))
        subtotals = [shelf.items[i].price_cents * q for i, q in chosen.items()]
        subtotal = sum(subtotals)
        method = self._method(country.code, subtotal)
        code = self._code(day=day, new_customer=new_customer, source=source, subtotal=subtotal)
        if code is FREESHIP and not method.cents:
            code = None  # nothing to take off

        # The money, by cart.pricing's rules (see the module's docstring).
        rate = TAX_RATES.get((country.code, address["country_area"]), 0)
        include = self.settings.prices_include_tax
        line_money = []  # (discount, tax, total) per line
        for line_subtotal in subtotals:
            discount = (line_subtotal * code.percent + 50) // 100 if code and code.kind == "percent" else 0
            total = line_subtotal - discount
            line_money.append((discount, _tax(total, rate, include), total))
        line_discount = sum(m[0] for m in line_money)
        shipping_discount = method.cents if code is FREESHIP else 0
        shipping_tax = _tax(method.cents - shipping_discount, rate, include)
        tax = sum(m[1] for m in line_money) + shipping_tax
        total = subtotal - line_discount + method.cents - shipping_discount + (0 if include else tax)

        # Its life, by its age.
        fate = rng.random()
        created = at
        payment_at = created + _within(rng, 20, 180)
        paid: int | None = payment_at
        cancelled: int | None = None
        delivered: int | None = None
        shipped_at = payment_at + _within(rng, DAY, 3 * DAY)
        arrived_at = shipped_at + _within(rng, DAY, 4 * DAY)
        placed = True  # the shopper reached the "thank you" page
        if fate < ABANDONED_AT_PAYMENT:
            status, paid, placed = "pending_payment", None, False
        elif fate < ABANDONED_AT_PAYMENT + PAYMENT_FAILED:
            status, paid, placed = "payment_failed", None, False
        elif fate < ABANDONED_AT_PAYMENT + PAYMENT_FAILED + CANCELLED_AFTER_PAYMENT and (
            payment_at + 20 * HOUR < self.now
        ):
            status, cancelled = "cancelled", payment_at + _within(rng, HOUR // 2, 20 * HOUR)
        elif self.now < shipped_at:
            status = "paid"
        elif self.now < arrived_at:
            status = "shipped"
        else:
            delivered = arrived_at
            status = "delivered" if self.now < arrived_at + RETURN_WINDOW else "completed"
        shipped = status in ("shipped", "delivered", "completed")

        order_id = self.ids["order"].next()
        number = f"{ORDER_NUMBER_PREFIX}{self.next_order:08d}"
        self.next_order += 1
        self.orders_made += 1
        text = self.clock.text
        discounts = []
        if code is not None:
            amount = shipping_discount if code is FREESHIP else line_discount
            discounts.append(
                {"source": self.settings.codes_source[code.code], "label": code.label, "kind": code.kind,
                 "code": code.code, "amount": cents_text(amount)}
            )  # fmt: skip
        tax_by_rate = []
        if tax:
            tax_by_rate.append([f"{rate // 1000}.{rate % 1000:03d}", cents_text(tax)])
        address_json = json_text(address)
        order_email = email
        rows.orders.append(
            (order_id, number, user_id, order_email, status, self.settings.currency, include,
             cents_text(subtotal), cents_text(line_discount + shipping_discount), cents_text(method.cents),
             cents_text(shipping_discount), cents_text(shipping_tax), cents_text(tax), cents_text(total),
             json_text(discounts) if discounts else "[]", json_text([code.code]) if code else "[]",
             json_text(tax_by_rate) if tax_by_rate else "[]", address_json, address_json,
             _method_json(method), "", text(created),
             text(paid) if paid is not None else None, text(cancelled) if cancelled is not None else None,
             text(delivered) if delivered is not None else None)
        )  # fmt: skip
        rate_text = f"{rate // 1000}.{rate % 1000:03d}"
        line_rows = []
        for (index, quantity), line_subtotal, (discount, line_tax, line_total) in zip(
            chosen.items(), subtotals, line_money, strict=True
        ):
            item = shelf.items[index]
            line_id = self.ids["line"].next()
            line_rows.append((line_id, quantity, line_total))
            rows.lines.append(
                (line_id, order_id, item.variant_id, item.title, item.sku, cents_text(item.price_cents),
                 quantity, cents_text(line_subtotal), cents_text(discount), rate_text, cents_text(line_tax),
                 cents_text(line_total), quantity if shipped else 0, 0)
            )  # fmt: skip

        if status == "payment_failed":
            self._payment(number, order_email, total, created, status="failed")
        elif paid is not None:
            self._paid_order_money(
                number=number, email=order_email, total=total, paid=paid, cancelled=cancelled,
                delivered=delivered, order_id=order_id, line_rows=line_rows,
            )  # fmt: skip

        self._buyer_events(
            user_id=user_id, new_customer=new_customer, source=source, chosen=chosen, created=created,
            paid=paid if placed else None, number=number, total=total,
        )  # fmt: skip

    def _payment(self, number: str, email: str, amount: int, at: int, *, status: str) -> int:
        payment_id = self.ids["payment"].next()
        failed = status == "failed"
        brand = self._pick(self.cards)
        self.rows.payments.append(
            (payment_id, number, "test", f"demo_{number}", 1, cents_text(amount), self.settings.currency,
             email, status, cents_text(0 if failed else amount), "0.00", brand,
             f"{int(self.rng.random() * 10000):04d}", "Your card was declined." if failed else "",
             self.clock.text(at), self.clock.text(at + 5))
        )  # fmt: skip
        return payment_id

    def _paid_order_money(
        self,
        *,
        number: str,
        email: str,
        total: int,
        paid: int,
        cancelled: int | None,
        delivered: int | None,
        order_id: int,
        line_rows: list[tuple[int, int, int]],
    ) -> None:
        """The captured payment, and what went back: the whole amount of a
        cancelled order, a return's lines, or a goodwill refund."""
        rng = self.rng
        text = self.clock.text
        refunds: list[tuple[int, str, str, int]] = []  # (amount, reason, key, at)
        if cancelled is not None:
            refunds.append((total, "Order cancelled", f"demo-cancel:{number}", cancelled + 30))
        elif delivered is not None and rng.random() < RETURNED:
            refund = self._return(number=number, order_id=order_id, delivered=delivered, line_rows=line_rows)
            if refund is not None:
                refunds.append(refund)
        elif rng.random() < GOODWILL_REFUND:
            at = paid + _within(rng, 2 * DAY, 10 * DAY)
            amount = total * _within(rng, 10, 31) // 100
            if at < self.now and amount > 0:
                reason = REFUND_REASONS[int(rng.random() * len(REFUND_REASONS))]
                refunds.append((amount, reason, f"demo-refund:{number}", at))
        refunded = sum(r[0] for r in refunds)
        status = "captured" if not refunded else "refunded" if refunded >= total else "partially_refunded"
        payment_id = self.ids["payment"].next()
        brand = self._pick(self.cards)
        updated = max([paid + 2, *(r[3] for r in refunds)])
        self.rows.payments.append(
            (payment_id, number, "test", f"demo_{number}", 1, cents_text(total), self.settings.currency,
             email, status, cents_text(total), cents_text(refunded), brand,
             f"{int(rng.random() * 10000):04d}", "", text(paid - 2), text(updated))
        )  # fmt: skip
        for amount, reason, key, at in refunds:
            self.rows.refunds.append(
                (payment_id, cents_text(amount), reason, f"demo_re_{key}", "succeeded", key, text(at))
            )

    def _return(
        self, *, number: str, order_id: int, delivered: int, line_rows: list[tuple[int, int, int]]
    ) -> tuple[int, str, str, int] | None:
        """A return of some of the order's units; the refund it led to, if any yet."""
        rng = self.rng
        requested = delivered + _within(rng, DAY // 2, 12 * DAY)
        if requested >= self.now:
            return None
        approved, received = requested + DAY, requested + _within(rng, 5 * DAY, 8 * DAY)
        refunded_at = received + DAY
        rejected = rng.random() < RETURN_REJECTED
        if rejected and approved <= self.now:
            status, updated = "rejected", approved
        elif not rejected and refunded_at <= self.now:
            status, updated = "refunded", refunded_at
        elif not rejected and received <= self.now:
            status, updated = "received", received
        elif not rejected and approved <= self.now:
            status, updated = "approved", approved
        else:
            status, updated = "requested", requested
        return_id = self.ids["return"].next()
        return_number = f"{number}-R1"
        self.rows.returns.append(
            (return_id, order_id, return_number, status, self._pick(self.return_reasons),
             "Worn; outside the return conditions." if status == "rejected" else "",
             self.clock.text(requested), self.clock.text(updated))
        )  # fmt: skip
        amount = 0
        returned: dict[int, int] = {}  # line id -> units
        lines = [line for line in line_rows if rng.random() < 0.6] or line_rows[:1]
        for line_id, quantity, line_total in lines:
            units = quantity if quantity == 1 or rng.random() < 0.6 else _within(rng, 1, quantity)
            returned[line_id] = units
            self.rows.return_lines.append((return_id, line_id, units))
            # The units' share of what the line cost after its discount.
            amount += (2 * line_total * units + quantity) // (2 * quantity)
        if status in ("received", "refunded"):
            self._units_returned(returned, lines=len(line_rows))
        if status != "refunded" or amount <= 0:
            return None
        return amount, f"Return {return_number}", f"demo-return:{return_number}", refunded_at

    def _units_returned(self, returned: dict[int, int], *, lines: int) -> None:
        """``quantity_returned`` on the order's lines (the last ``lines`` rows
        drawn) once the units are back."""
        rows = self.rows.lines
        for position in range(len(rows) - lines, len(rows)):
            line = rows[position]
            if line[0] in returned:
                rows[position] = (*line[:-1], returned[line[0]])

    # --- What the visitors did -----------------------------------------------------------

    def _buyer_events(
        self,
        *,
        user_id: int | None,
        new_customer: bool,
        source: str,
        chosen: dict[int, int],
        created: int,
        paid: int | None,
        number: str,
        total: int,
    ) -> None:
        """The visit that led to the order: pages, cart, checkout steps, and
        "order placed" once paid, all by one visitor, ending at the payment step."""
        rng = self.rng
        items = self.shelf.items
        # A signed-in visitor's pseudonym is the account's, the same every day.
        visitor = f"{VISITOR_PREFIX}{user_id:020x}" if user_id else self._anonymous_visitor()
        steps: list[tuple[Any, ...]] = []  # (name, product_id, slug, reference, quantity, value, query, ...)
        if source:
            steps.append(("campaign_visit", None, "/products/", "", None, None, "", None, "", source))
        if new_customer:  # signs up first, and is signed in from then on
            steps.append(("sign_up", None, "", "", None, None, "", None, "", ""))
        self._browse(steps, views=_within(rng, 0, 3))
        for index, quantity in chosen.items():
            item = items[index]
            steps.append(("product_view", None, item.slug, "", None, None, "", None, "", ""))
            steps.append(
                ("cart_add", item.product_id, "", "", quantity, cents_text(item.price_cents * quantity),
                 "", None, "", "")
            )  # fmt: skip
        if rng.random() < 0.12:  # added something else, then thought better of it
            other = items[self._item()]
            value = cents_text(other.price_cents)
            steps.append(("cart_add", other.product_id, "", "", 1, value, "", None, "", ""))
            steps.append(("cart_remove", None, "", "", None, None, "", None, "", ""))
        for step in ("contact", "address", "shipping", "payment"):
            steps.append(("checkout_step", None, "", "", None, None, "", None, step, ""))
        events = self.rows.events
        text = self.clock.text
        at = created - 3 - sum(_within(rng, 15, 75) for _ in steps)
        for position, (
            name,
            product_id,
            slug,
            reference,
            quantity,
            value,
            query,
            results,
            step,
            src,
        ) in enumerate(steps):
            if position == len(steps) - 1:
                at = created - 3  # the payment step made the order
            events.append(
                (name, text(at), visitor, user_id, product_id, slug, reference, quantity, value, query,
                 results, step, src)
            )  # fmt: skip
            at += _within(rng, 15, 75)
        if paid is not None:
            events.append(
                ("order_placed", self.clock.text(paid + 4), visitor, user_id, None, "", number, None,
                 cents_text(total), "", None, "", "")
            )  # fmt: skip

    def _browse(self, steps: list[tuple[Any, ...]], *, views: int) -> None:
        """Listing pages, a search now and then, and product pages."""
        rng = self.rng
        shelf = self.shelf
        categories = shelf.category_slugs
        if categories and rng.random() < 0.7:
            category = categories[int(rng.random() * len(categories))]
            steps.append(("listing_view", None, category, "", None, None, "", None, "", ""))
        if rng.random() < 0.35:
            if rng.random() < 0.08 and shelf.zero_result_queries:
                query, results = (
                    shelf.zero_result_queries[int(rng.random() * len(shelf.zero_result_queries))],
                    0,
                )
            elif shelf.searches:
                # Popular words first: the square of a uniform number favours the top of the list.
                query, results = shelf.searches[int(rng.random() ** 2 * len(shelf.searches))]
            else:
                query, results = "", None
            if query:
                # The search page is a listing: both are recorded, as the view does.
                steps.append(("listing_view", None, "", "", None, None, "", None, "", ""))
                steps.append(("search", None, "", "", None, None, query, results, "", ""))
        slugs = shelf.product_slugs
        for _ in range(views):
            steps.append(("product_view", None, slugs[rng.getrandbits(PICK_BITS)], "", None, None, "", None,
                          "", ""))  # fmt: skip

    def _visit(self, *, at: int) -> None:
        """A visitor who does not order today: browses, bounces, or leaves a cart."""
        rng = self.rng
        steps: list[tuple[Any, ...]] = []
        if rng.random() < 0.12:
            source = self._pick(self.sources)
            steps.append(("campaign_visit", None, "/products/", "", None, None, "", None, "", source))
        kind = rng.random()
        if kind < 0.25:  # one page and gone
            self._browse(steps, views=1)
        elif kind < 0.80:
            self._browse(steps, views=_within(rng, 1, 7))
            if rng.random() < 0.03:
                product_id = self.shelf.items[self._item()].product_id
                steps.append(("wishlist_add", product_id, "", "", None, None, "", None, "", ""))
        else:  # an abandoned cart
            self._browse(steps, views=_within(rng, 1, 4))
            for _ in range(_within(rng, 1, 3)):
                item = self.shelf.items[self._item()]
                quantity = self._pick(self.quantities)
                value = cents_text(item.price_cents * quantity)
                steps.append(("cart_add", item.product_id, "", "", quantity, value, "", None, "", ""))
            if rng.random() < 0.15:
                steps.append(("cart_remove", None, "", "", None, None, "", None, "", ""))
            for step, share in (("contact", 0.4), ("address", 0.6), ("shipping", 0.6)):
                if rng.random() >= share:
                    break
                steps.append(("checkout_step", None, "", "", None, None, "", None, step, ""))
        visitor = self._anonymous_visitor()
        events = self.rows.events
        text = self.clock.text
        latest = self.now
        for name, product_id, slug, reference, quantity, value, query, results, step, src in steps:
            if at >= latest:
                break
            events.append(
                (name, text(at), visitor, None, product_id, slug, reference, quantity, value, query, results,
                 step, src)
            )  # fmt: skip
            at += _within(rng, 10, 90)


@cache
def _method_json(method: Method) -> str:
    return json_text(method.data())


def _within(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` up to ``high`` (excluded): ``randrange``
    checks its arguments on every call, which millions of calls notice."""
    return low + int(rng.random() * (high - low))


def _tax(amount: int, rate: int, include: bool) -> int:
    """Tax in cents at ``rate`` thousandths of a percent, rounded half up:
    inside ``amount`` (``shop.money.tax_included_in``) or on top of it
    (``tax_added_to``).

    >>> _tax(1190, 19000, True), _tax(1000, 8875, False), _tax(0, 19000, True)
    (190, 89, 0)
    """
    if not rate or amount <= 0:
        return 0
    if include:
        return (2 * amount * rate + 100_000 + rate) // (2 * (100_000 + rate))
    return (2 * amount * rate + 100_000) // 200_000
