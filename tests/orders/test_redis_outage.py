"""Redis is an accelerator: with the cache and broker gone mid-run, every
shopper page still serves, a signed-in shopper stays signed in, a checkout
is completed and paid, and a confirmed payment still moves its order; with
Redis back, the cache is used again.

Each test starts a Redis of its own on a free port (the suite's Redis is
never stopped), points the cache and Celery's broker at it, and stops it
mid-test. Requests run through the whole middleware stack; on_commit
callbacks run as in production (transactional test database)."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from catalog.models import Category, Variant
from notifications.models import Notification
from orders.models import Order
from payments.models import Payment, WebhookEvent
from shipping.models import ShippingMethod
from shop.celery import app as celery_app
from tests.factories import UserFactory
from tests.orders.factories import germany, option_id, stocked_variants
from tests.orders.test_checkout_views import ADDRESS_POST, CARD
from tests.payments.helpers import intent_event, signed_post

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase for grace"


class OwnRedis:
    """A redis-server of the test's own, stopped and started at will."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def keys(self) -> int:
        return int(redis.Redis.from_url(self.url).dbsize())


@pytest.fixture
def own_redis(settings) -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "shop.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CACHE_REDIS_RETRY_SECONDS = 0  # try Redis on every call: recovery shows at once
    settings.CATALOG_PAGE_CACHE_SECONDS = 300  # the page cache on, as in production
    settings.CATALOG_CARD_CACHE_SECONDS = 300
    # Tasks go to the broker as in production (the conftest makes them eager).
    broker, eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.update(broker_url=server.url, task_always_eager=False)
    celery_app.close()  # forget connections to the suite's broker
    yield server
    celery_app.conf.update(broker_url=broker, task_always_eager=eager)
    celery_app.close()
    if server.process is not None:
        server.stop()


@pytest.fixture
def lamp() -> Variant:
    (variant,) = stocked_variants(5, title="Lamp", price=Decimal("20.00"))
    category = Category.objects.create(name="Lighting", slug="lighting")
    variant.product.categories.add(category)
    return variant


def _signed_in_grace() -> Client:
    UserFactory.create(email="grace@example.com", password=PASSWORD)
    client = Client()
    response = client.post("/accounts/login/", {"login": "grace@example.com", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _pages(lamp: Variant) -> list[str]:
    product = lamp.product
    return [
        "/",
        "/products/",
        f"/products/{product.slug}/",
        "/products/?q=lamp",
        "/products/?q=lmap",
        "/categories/lighting/",
        "/cart/",
        "/track/",
    ]


def _anonymous_pages() -> list[str]:
    return ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


def _checkout_and_pay(client: Client, lamp: Variant) -> Order:
    assert client.post("/cart/add/", {"variant": lamp.pk, "quantity": 1}).status_code == 303
    assert client.get("/checkout/address/").status_code == 200
    assert client.post("/checkout/address/", ADDRESS_POST)["Location"] == "/checkout/shipping/"
    shipping = client.get("/checkout/shipping/")
    assert shipping.status_code == 200
    assert client.post("/checkout/shipping/", {"option": option_id(germany_method())})["Location"] == (
        "/checkout/payment/"
    )
    page = client.get("/checkout/payment/")
    assert page.status_code == 200
    number = page.context["order"].number
    paid = client.post("/checkout/payment/", {"number": "4242424242424242", **CARD, "order": number})
    assert paid["Location"] == f"/checkout/complete/{number}/"
    assert client.get(paid["Location"]).status_code == 200
    return Order.objects.get(number=number)


def germany_method() -> ShippingMethod:
    return ShippingMethod.objects.get()


def test_every_shopper_page_serves_and_a_checkout_is_paid_while_redis_is_down_then_the_cache_returns(
    own_redis, lamp, caplog
):
    germany()
    grace = _signed_in_grace()
    assert grace.get("/orders/").status_code == 200
    assert own_redis.keys() > 0  # her session, rate limits: the cache is in use

    own_redis.stop()

    for url in _pages(lamp):
        assert Client().get(url).status_code == 200, url  # anonymous: the page cache's way
        assert grace.get(url).status_code == 200, url  # signed in: built live
    for url in _anonymous_pages():
        assert Client().get(url).status_code == 200, url
    # Still signed in: the session comes from the database.
    assert grace.get("/orders/").status_code == 200
    assert grace.get("/accounts/profile/").status_code == 200
    # Signing in and tracking count nothing while the cache is away (fail open).
    other = Client()
    UserFactory.create(email="ada@example.com", password=PASSWORD)
    assert other.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})[
        "Location"
    ].startswith("/accounts/")
    assert other.get("/orders/").status_code == 200
    assert Client().post("/track/", {"number": "NOPE-NOPE-NOPE", "email": "x@example.com"}).status_code == 200

    order = _checkout_and_pay(grace, lamp)

    assert order.status == Order.Status.PAID
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (4, 0)
    # The confirmation could not be queued (no broker): it stays owed for the sweep.
    owed = Notification.objects.get(kind="order.confirmation", key=f"{order.number}:paid")
    assert owed.sent_at is None
    outage_logs = [r for r in caplog.records if r.name == "shop.cache" and "unreachable" in r.getMessage()]
    assert len(outage_logs) == 1  # once per interval, not per request

    own_redis.start()

    assert own_redis.keys() == 0
    for url in _pages(lamp):
        assert Client().get(url).status_code == 200, url
    assert own_redis.keys() > 0  # cached again
    assert grace.get("/orders/").status_code == 200  # still signed in
    assert any(r.name == "shop.cache" and "answers again" in r.getMessage() for r in caplog.records)


def test_a_payment_confirmed_by_webhook_while_redis_is_down_pays_its_order(own_redis, lamp, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    germany()
    order = _checkout_to_payment(lamp)
    payment = _as_stripe(order, "pi_outage")

    own_redis.stop()
    response = signed_post(
        Client(),
        intent_event(
            "payment_intent.succeeded", payment, status="succeeded", amount_received=int(order.total * 100)
        ),
        gateway="stripe",
    )

    assert (response.status_code, response.content) == (200, b"ok")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    lamp.refresh_from_db()
    assert (lamp.stock_on_hand, lamp.stock_reserved) == (4, 0)


def test_a_reaction_that_fails_undoes_the_webhook_which_answers_500_and_is_heard_again(
    own_redis, lamp, settings, monkeypatch
):
    from orders.lifecycle import payment as order_payment

    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    germany()
    order = _checkout_to_payment(lamp)
    payment = _as_stripe(order, "pi_fails")
    event = intent_event(
        "payment_intent.succeeded", payment, status="succeeded", amount_received=int(order.total * 100)
    )

    def broken(*args, **kwargs):
        raise ConnectionError("something the order needs is down")

    monkeypatch.setattr(order_payment, "stock_commit", broken)
    response = signed_post(Client(), event, gateway="stripe")

    assert response.status_code == 500
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, order.status) == (Payment.Status.PENDING, Order.Status.PENDING_PAYMENT)
    recorded = WebhookEvent.objects.get()
    assert recorded.processed_at is None
    assert "something the order needs is down" in recorded.error

    monkeypatch.undo()
    response = signed_post(Client(), event, gateway="stripe")  # the gateway delivers again

    assert response.status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, order.status) == (Payment.Status.CAPTURED, Order.Status.PAID)


def _as_stripe(order: Order, reference: str) -> Payment:
    """The order's payment, as if Stripe's PaymentIntent ``reference``."""
    Payment.objects.filter(order_reference=order.number).update(gateway="stripe", gateway_reference=reference)
    return Payment.objects.get(order_reference=order.number)


def _succeeded(payment: Payment) -> dict[str, object]:
    cents = int(payment.amount * 100)
    return intent_event("payment_intent.succeeded", payment, status="succeeded", amount_received=cents)


def _checkout_to_payment(lamp: Variant) -> Order:
    client = Client()
    assert client.post("/cart/add/", {"variant": lamp.pk, "quantity": 1}).status_code == 303
    assert client.post("/checkout/", {"email": "guest@example.com"})["Location"] == "/checkout/address/"
    assert client.post("/checkout/address/", ADDRESS_POST)["Location"] == "/checkout/shipping/"
    assert client.post("/checkout/shipping/", {"option": option_id(germany_method())})["Location"] == (
        "/checkout/payment/"
    )
    return client.get("/checkout/payment/").context["order"]


def test_the_cache_answers_as_an_empty_one_while_redis_is_down(own_redis):
    cache.set("kept", 1)
    own_redis.stop()

    assert cache.get("kept", "default") == "default"
    assert cache.add("new", 1) is True
    assert cache.get_many(["kept"]) == {}
    with pytest.raises(ValueError, match="not found"):
        cache.incr("kept")
    cache.set("dropped", 1)
    assert cache.get_or_set("computed", 5) == 5


def test_a_redis_that_hangs_costs_one_timeout_per_retry_window_not_one_per_call(settings, caplog):
    """A Redis that accepts connections and never answers (a network that
    drops packets) must not hold every cache call for its timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(50)  # accepts, never answers
        port = silent.getsockname()[1]
        settings.CACHES = {
            "default": {
                "BACKEND": "shop.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
            }
        }
        settings.CACHE_REDIS_RETRY_SECONDS = 60

        started = time.monotonic()
        answers = [cache.get(f"key-{n}", "missed") for n in range(50)]
        elapsed = time.monotonic() - started

    assert answers == ["missed"] * 50
    assert elapsed < 1.5  # one timeout (0.3 s), then the cache is left alone
    assert len([r for r in caplog.records if r.name == "shop.cache"]) == 1
