import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from analytics.demo import analytics_history_seed, demo_history_delete
from analytics.models import DailySales, Event
from cart.pricing import PricingLine, ShippingCharge, price
from catalog.models import Category, Product, Variant
from orders.models import Order, OrderLine, Return, ReturnLine
from payments.models import Payment, Refund
from promotions.values import Offer
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAID = {"paid", "shipped", "delivered", "completed", "cancelled"}
# The demo's codes: what each takes off, as its Offer says it.
PERCENT = {
    "WELCOME10": Decimal(10),
    "NEWSLETTER10": Decimal(10),
    "BLACKFRIDAY20": Decimal(20),
    "XMAS15": Decimal(15),
    "FREESHIP": Decimal(0),
}
RETURN_REASONS = {"Too small", "Too large", "Not as pictured", "Arrived damaged", "Changed my mind"}


def _variant(line: OrderLine) -> Variant:
    assert line.variant is not None
    return line.variant


def _when(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment


@pytest.fixture
def catalog() -> list[Product]:
    CategoryFactory.create_batch(3)
    products = [
        ProductFactory.create(title=f"Linen Shirt {n}", variants=1 + n % 3, variants__price=Decimal(price))
        for n, price in enumerate(("19.99", "4.95", "129.00", "49.50", "0.99", "250.00", "12.34", "75.00"))
    ]
    ProductFactory.create(title="Withdrawn Lamp", is_active=False)
    return products


@pytest.fixture
def history(catalog: list[Product]):
    return analytics_history_seed(orders=400, days=90, seed=3, events_per_order=20)


def test_the_history_has_the_orders_customers_and_events_asked_for(history):
    demo_orders = Order.objects.filter(number__startswith="DEMO-")
    assert history.orders_created == demo_orders.count() == 400
    assert history.lines_created == OrderLine.objects.count()
    assert all(re.fullmatch(r"DEMO-\d{8}", number) for number in demo_orders.values_list("number", flat=True))
    customers = User.objects.filter(email__startswith="demo.customer.", email__endswith="@example.com")
    assert history.customers_created == customers.count()
    assert not customers.filter(is_staff=True).exists()
    assert not any(user.has_usable_password() for user in customers)
    # About a quarter of the orders' worth of customers, some guests, some repeat buyers.
    assert 50 <= customers.count() <= 150
    assert demo_orders.filter(user__isnull=True).count() > 150
    emails = Counter(demo_orders.values_list("email", flat=True))
    repeat_orders = sum(count - 1 for count in emails.values())
    assert 0.2 <= repeat_orders / 400 <= 0.4
    assert history.events_created == Event.objects.count()
    assert 19 <= history.events_created / 400 <= 22
    first = timezone.localdate() - timedelta(days=89)
    assert all(
        first - timedelta(days=1) <= moment.date() <= timezone.localdate()
        for moment in demo_orders.values_list("created_at", flat=True)
    )
    assert max(Event.objects.values_list("occurred_at", flat=True)) <= timezone.now()


def test_every_order_is_priced_as_the_cart_prices_it(history):
    for order in Order.objects.prefetch_related("lines__variant"):
        lines = list(order.lines.all())
        offers = [
            Offer(key=d["source"], label=d["label"], kind=d["kind"], value=PERCENT[d["code"]], code=d["code"])
            for d in order.discounts
        ]
        variants = [_variant(line) for line in lines]
        breakdown = price(
            lines=[
                PricingLine(
                    key=line.pk,
                    product_id=variant.product_id,
                    unit_price=line.unit_price,
                    quantity=line.quantity,
                )
                for line, variant in zip(lines, variants, strict=True)
            ],
            offers=offers,
            shipping=ShippingCharge(price=order.shipping_price),
            rates={"standard": lines[0].tax_rate},
            prices_include_tax=order.prices_include_tax,
        )
        assert breakdown.subtotal == order.subtotal
        assert breakdown.discount_total == order.discount_total
        assert breakdown.shipping_discount == order.shipping_discount
        assert breakdown.shipping_tax == order.shipping_tax
        assert breakdown.tax == order.tax_total
        assert breakdown.total == order.total > 0
        assert [[str(r), str(t)] for r, t in breakdown.tax_by_rate] == order.tax_by_rate
        assert [Decimal(d["amount"]) for d in order.discounts] == [d.amount for d in breakdown.discounts]
        assert order.promo_codes == [d["code"] for d in order.discounts]
        for line, variant, priced in zip(lines, variants, breakdown.lines, strict=True):
            assert (line.subtotal, line.discount, line.tax, line.total) == (
                priced.subtotal,
                priced.discount,
                priced.tax,
                priced.total,
            )
            assert line.product_title.startswith(variant.product.title)
            assert line.sku == variant.sku
        assert order.shipping_address["country"] == order.shipping_address["country_code"]
        assert order.shipping_method["price"] == str(order.shipping_price)
    assert Order.objects.exclude(discounts=[]).exists()


def test_paid_orders_have_one_captured_payment_and_refunds_stay_within_it(history):
    payments = {p.order_reference: p for p in Payment.objects.all()}
    refunded = dict(
        Refund.objects.values("payment").annotate(sum=Sum("amount")).values_list("payment", "sum")
    )
    assert Payment.objects.count() == len(payments)  # one per order
    for order in Order.objects.all():
        payment = payments.get(order.number)
        if order.paid_at is None:
            assert order.status in {"pending_payment", "payment_failed"}
            assert payment is None or (payment.status == "failed" and payment.captured_amount == 0)
            continue
        assert payment is not None
        assert payment.gateway == "test"
        assert payment.amount == payment.captured_amount == order.total
        assert payment.refunded_amount == refunded.get(payment.pk, 0) <= payment.captured_amount
        expected = "captured" if not payment.refunded_amount else "partially_refunded"
        if payment.refunded_amount == payment.captured_amount:
            expected = "refunded"
        assert payment.status == expected
        assert payment.created_at <= order.paid_at
        if order.status == "cancelled":
            assert payment.status == "refunded"
            assert order.paid_at < _when(order.cancelled_at)
    refunds = Refund.objects.select_related("payment")
    assert refunds.exists()
    assert all(r.status == "succeeded" and r.created_at > r.payment.created_at for r in refunds)


def test_statuses_follow_the_life_of_each_order(history):
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert set(statuses) <= {*PAID, "pending_payment", "payment_failed"}
    assert statuses["completed"] > statuses["cancelled"] > 0
    assert statuses["pending_payment"] > 0
    for order in Order.objects.prefetch_related("lines"):
        delivered = order.status in {"delivered", "completed"}
        assert (order.delivered_at is not None) == delivered
        assert (order.paid_at is not None) == (order.status in PAID)
        assert (order.cancelled_at is not None) == (order.status == "cancelled")
        shipped = order.status in {"shipped", "delivered", "completed"}
        for line in order.lines.all():
            assert line.quantity_shipped == (line.quantity if shipped else 0)
        if order.status == "completed":
            assert _when(order.delivered_at) < timezone.now() - timedelta(days=14)


def test_returns_are_only_of_delivered_orders_and_their_units(history):
    returns = Return.objects.select_related("order")
    assert returns.exists()
    for request in returns:
        assert request.order.status in {"delivered", "completed"}
        assert request.created_at > _when(request.order.delivered_at)
        assert request.number == f"{request.order.number}-R1"
        assert request.reason in RETURN_REASONS
    back: defaultdict[int, int] = defaultdict(int)
    for line in ReturnLine.objects.select_related("order_line", "return_request"):
        assert 1 <= line.quantity <= line.order_line.quantity
        assert line.order_line.order_id == line.return_request.order_id
        if line.return_request.status in {"received", "refunded"}:
            back[line.order_line_id] += line.quantity
    returned = dict(OrderLine.objects.filter(quantity_returned__gt=0).values_list("pk", "quantity_returned"))
    assert returned == dict(back)


def test_events_name_real_products_and_the_orders_they_placed(history):
    products = dict(Product.objects.filter(is_active=True).values_list("pk", "slug"))
    categories = set(Category.objects.values_list("slug", flat=True))
    events = list(Event.objects.order_by("occurred_at", "pk"))
    names = Counter(event.name for event in events)
    assert names["product_view"] > names["cart_add"] > names["order_placed"] > 0
    for name in ("search", "listing_view", "checkout_step", "campaign_visit", "sign_up", "cart_remove"):
        assert names[name] > 0, name
    assert all(re.fullmatch(r"de30de30de30[0-9a-f]{20}", event.visitor) for event in events)
    for event in events:
        if event.name == "product_view":
            assert event.slug in products.values()
        elif event.name == "listing_view":
            assert event.slug == "" or event.slug in categories
        elif event.name in {"cart_add", "wishlist_add"}:
            assert event.product_id in products
        elif event.name == "campaign_visit":
            assert event.source
        elif event.name == "checkout_step":
            assert event.step in {"contact", "address", "shipping", "payment"}
    searches = [event for event in events if event.name == "search"]
    assert any(event.results == 0 for event in searches)
    assert all(event.results is not None and event.query for event in searches)

    demo_users = set(User.objects.filter(email__startswith="demo.customer.").values_list("pk", flat=True))
    assert {event.user_id for event in events} - {None} <= demo_users
    placed = {event.reference: event for event in events if event.name == "order_placed"}
    assert len(placed) == names["order_placed"]  # once per order
    paid = {o.number: o for o in Order.objects.filter(paid_at__isnull=False)}
    assert set(placed) == set(paid)
    by_visitor = defaultdict(list)
    for event in events:
        by_visitor[event.visitor].append(event)
    for number, event in placed.items():
        order = paid[number]
        assert event.value == order.total
        assert event.user_id == order.user_id
        before = [e for e in by_visitor[event.visitor] if e.occurred_at <= event.occurred_at]
        assert any(e.name == "checkout_step" and e.step == "payment" for e in before)
        added = {e.product_id for e in before if e.name == "cart_add"}
        assert {_variant(line).product_id for line in order.lines.select_related("variant")} <= added


def test_a_second_run_adds_history_and_reuses_the_customers(catalog):
    analytics_history_seed(orders=200, days=30, seed=1)
    customers = User.objects.count()
    first_customers = set(User.objects.values_list("pk", flat=True))

    second = analytics_history_seed(orders=200, days=30, seed=2)

    assert Order.objects.count() == 400
    assert Order.objects.order_by("number").values_list("number", flat=True).last() == "DEMO-00000400"
    assert User.objects.count() == customers + second.customers_created
    second_run = Order.objects.filter(number__gt="DEMO-00000200", user__isnull=False)
    assert second_run.filter(user__in=first_customers).exists()  # some of the first run's came back


def test_reset_deletes_only_the_demo_history(catalog):
    person = UserFactory.create()
    real = Order.objects.create(
        number="7KQ2-M9XP-A4DE", user=person, email=person.email, currency="EUR", prices_include_tax=True,
        subtotal=10, discount_total=0, shipping_price=0, tax_total=0, total=10,
    )  # fmt: skip
    Payment.objects.create(order_reference=real.number, gateway="test", amount=10, currency="EUR")
    Event.objects.create(name="product_view", occurred_at=timezone.now(), visitor="a" * 32, slug="x")
    analytics_history_seed(orders=100, days=20)
    customers = User.objects.filter(email__startswith="demo.customer.").count()

    result = analytics_history_seed(orders=50, days=20, seed=9, reset=True)

    assert result.orders_deleted == 100
    assert Order.objects.count() == 51
    assert Order.objects.filter(number__startswith="DEMO-").count() == 50
    assert Order.objects.filter(pk=real.pk).exists()
    assert Payment.objects.filter(order_reference=real.number).exists()
    assert Event.objects.filter(visitor="a" * 32).exists()
    assert User.objects.filter(email__startswith="demo.customer.").count() >= customers
    assert User.objects.filter(pk=person.pk).exists()

    demo_history_delete()
    assert list(Order.objects.all()) == [real]
    assert list(Payment.objects.values_list("order_reference", flat=True)) == [real.number]
    assert not Refund.objects.exists()
    assert not Return.objects.exists()
    assert Event.objects.count() == 1


def test_the_command_needs_a_catalog_to_sell_from():
    Variant.objects.all().delete()

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("analytics_demo", "--orders", "5", "--no-progress")


def test_the_command_says_what_it_made(catalog):
    out = StringIO()
    arguments = ["--orders", "30", "--days", "7", "--events-per-order", "5", "--no-progress"]

    call_command("analytics_demo", *arguments, stdout=out)

    assert "30/30 orders drawn" in out.getvalue()
    assert "30 orders" in out.getvalue()
    assert Order.objects.count() == 30
    # The days of the history are rolled up, so the dashboard shows them at once.
    assert "Rollups of 7 days computed" in out.getvalue()
    assert DailySales.objects.count() == 7
    assert (
        DailySales.objects.aggregate(orders=Sum("orders"))["orders"]
        == Order.objects.filter(paid_at__isnull=False).count()
    )


def test_the_command_may_leave_the_rollups_alone(catalog):
    arguments = ["--orders", "10", "--days", "3", "--no-progress", "--no-rollups"]

    call_command("analytics_demo", *arguments, stdout=StringIO())

    assert not DailySales.objects.exists()
