"""What a delivery means for reviews: the customer's reviews of what came
become verified purchases at once, and some days later one email asks for
reviews, with a link straight to each product's form."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from catalog.models import Product
from notifications.models import Notification
from notifications.preferences import email_preference_set
from orders.checkout.placement import orders_guest_claim
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.models import Order
from orders.reminders import review_requests_send
from reviews.models import Purchase
from reviews.services import ReviewInput, review_write
from tests.factories import UserFactory
from tests.orders.staff_helpers import paid_order

pytestmark = pytest.mark.django_db


def _delivered(*, user=None, email=None) -> Order:
    order, _variants = paid_order(1, 2, user=user)
    if email:
        Order.objects.filter(pk=order.pk).update(email=email)
    order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="TRK")
    return order_mark_delivered(order_id=order.pk)


def _days_later(order: Order, days: int) -> datetime:
    assert order.delivered_at is not None
    return order.delivered_at + timedelta(days=days)


def _products(order: Order) -> list[Product]:
    return list(Product.objects.filter(variants__order_lines__order=order).distinct().order_by("pk"))


def test_delivery_makes_the_customers_reviews_verified_purchases():
    user = UserFactory.create()
    order, variants = paid_order(1, user=user)
    product = variants[0].product
    early = review_write(
        user=user,
        product=product,
        data=ReviewInput(rating=5, title="Early", body="Reviewed before it came.", author_name="Ada"),
    )
    assert (early.status, early.verified_purchase) == ("pending", False)

    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)

    assert list(Purchase.objects.values_list("user", "product", "reference")) == [
        (user.pk, product.pk, order.number)
    ]
    early.refresh_from_db()
    assert early.verified_purchase is True


def test_some_days_after_delivery_one_email_asks_for_reviews_with_a_link_to_each_form(settings):
    settings.REVIEW_REQUEST_AFTER_DAYS = 5
    user = UserFactory.create()
    order = _delivered(user=user)
    products = _products(order)

    assert review_requests_send(now=_days_later(order, 4)) == 0
    assert review_requests_send(now=_days_later(order, 5)) == 1
    assert review_requests_send(now=_days_later(order, 6)) == 0  # once per order

    request = Notification.objects.get(kind="reviews.request")
    assert (request.key, request.email, request.user) == (order.number, order.email, user)
    # One link per product (both lines are variants of one lamp), with the first variant bought.
    first = order.lines.order_by("pk")[0]
    assert request.text.count("/reviews/write/") == len(products) == 1
    assert f"/products/{products[0].slug}/reviews/write/?variant={first.variant_id}" in request.text
    assert "/notifications/unsubscribe/" in request.text  # an optional message: one click out


def test_products_already_reviewed_are_left_out_and_nothing_is_sent_when_none_is_left(settings):
    settings.REVIEW_REQUEST_AFTER_DAYS = 0
    user = UserFactory.create()
    order = _delivered(user=user)
    for product in _products(order):
        review_write(
            user=user,
            product=product,
            data=ReviewInput(rating=4, title="Good", body="Does what it should.", author_name="Ada"),
        )

    review_requests_send(now=_days_later(order, 1))

    assert not Notification.objects.filter(kind="reviews.request").exists()


def test_a_person_who_switched_review_requests_off_gets_none(settings):
    settings.REVIEW_REQUEST_AFTER_DAYS = 0
    order = _delivered(email="grace@example.com")
    email_preference_set(email="grace@example.com", group="reviews", enabled=False, source="test")

    review_requests_send(now=_days_later(order, 1))

    assert not Notification.objects.filter(kind="reviews.request").exists()


def test_orders_delivered_too_long_ago_are_not_asked(settings):
    settings.REVIEW_REQUEST_AFTER_DAYS = 5
    settings.REVIEW_REQUEST_WITHIN_DAYS = 14
    old = _delivered()

    assert review_requests_send(now=_days_later(old, 20)) == 0
    assert not Notification.objects.filter(kind="reviews.request").exists()


def test_a_delivered_guest_order_claimed_by_an_account_verifies_its_reviews():
    order = _delivered(email="guest@example.com")
    user = UserFactory.create(email="guest@example.com")

    assert orders_guest_claim(user=user) == 1

    assert Purchase.objects.filter(user=user, reference=order.number).count() == 1  # one product


def test_an_order_not_yet_delivered_is_not_asked():
    order, _variants = paid_order(1)

    assert review_requests_send(now=timezone.now() + timedelta(days=6)) == 0
    assert not Purchase.objects.exists()
    assert order.status == "paid"
