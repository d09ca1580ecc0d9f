"""/orders/<number>/: lines, totals, addresses, payment, the timeline,
shipments with tracking, and the actions the state allows, in at most ten
queries whatever the order holds. Someone else's order is a 404 in every
view and action, also for a guest without the number in their session."""

import pytest
from django.db.models import F
from django.urls import reverse

from cart.models import Cart
from catalog.models import Variant
from orders.models import Order, OrderEvent
from orders.sessions import SESSION_ORDERS
from tests.factories import UserFactory
from tests.orders.account_helpers import paid_order, ship

pytestmark = pytest.mark.django_db


def _url(name, order):
    return reverse(f"orders:{name}", kwargs={"number": order.number})


def test_the_page_shows_lines_totals_addresses_payment_timeline_and_actions(client):
    user = UserFactory.create()
    order = paid_order(user=user)
    client.force_login(user)

    html = client.get(order.get_absolute_url()).content.decode()

    for line in order.lines.all():
        assert line.product_title in html
    assert f"EUR {order.total}" in html
    assert "Unter den Linden 1" in html
    assert "Captured" in html
    assert "Payment confirmed by the gateway." in html
    assert _url("cancel", order) in html
    assert _url("invoice", order) in html
    assert _url("buy_again", order) in html
    assert "Request a return" not in html


def test_a_shipped_order_shows_its_tracking_and_no_cancel(client):
    user = UserFactory.create()
    order = paid_order(user=user)
    ship(order, tracking="1ZTRACK", events=2)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.SHIPPED)
    order.lines.update(quantity_shipped=1)
    client.force_login(user)

    html = client.get(order.get_absolute_url()).content.decode()

    assert 'href="https://track.example.com/1ZTRACK"' in html
    assert "Scan 0" in html
    assert "Scan 1" in html
    assert _url("cancel", order) not in html


@pytest.mark.parametrize(("lines", "shipments", "events"), [(1, 0, 0), (6, 3, 12)])
def test_the_page_takes_at_most_ten_queries_whatever_it_holds(
    client, django_assert_max_num_queries, lines, shipments, events
):
    user = UserFactory.create()
    order = paid_order(user=user, lines=lines)
    for n in range(shipments):
        ship(order, tracking=f"T{n}", events=4)
    OrderEvent.objects.bulk_create(OrderEvent(order=order, note=f"Note {n}") for n in range(events))
    client.force_login(user)

    with django_assert_max_num_queries(10):
        response = client.get(order.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["shipments"]) == shipments


@pytest.mark.parametrize(
    ("name", "method"),
    [("detail", "get"), ("invoice", "get"), ("cancel", "get"), ("cancel", "post"), ("buy_again", "post")],
)
def test_another_customers_order_is_a_404_in_every_view(client, name, method):
    owner = UserFactory.create()
    order = paid_order(user=owner)
    client.force_login(UserFactory.create(email="eve@example.com"))

    response = getattr(client, method)(_url(name, order))

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize(
    ("name", "method"),
    [("detail", "get"), ("invoice", "get"), ("cancel", "get"), ("cancel", "post"), ("buy_again", "post")],
)
def test_a_guest_without_the_number_in_their_session_gets_a_404(client, name, method):
    order = paid_order()

    assert getattr(client, method)(_url(name, order)).status_code == 404


def test_a_guest_who_placed_the_order_sees_it(client):
    order = paid_order()
    session = client.session
    session[SESSION_ORDERS] = [order.number]
    session.save()

    assert client.get(order.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("status", "shipped", "offered"),
    [
        (Order.Status.PAID, False, False),  # cancel instead
        (Order.Status.SHIPPED, True, True),  # on its way: a return may be asked already
        (Order.Status.DELIVERED, True, True),
        (Order.Status.CANCELLED, False, False),
    ],
)
def test_the_page_offers_a_return_once_units_shipped(client, status, shipped, offered):
    user = UserFactory.create()
    order = paid_order(user=user)
    Order.objects.filter(pk=order.pk).update(status=status)
    if shipped:
        order.lines.update(quantity_shipped=F("quantity"))
    client.force_login(user)

    html = client.get(order.get_absolute_url()).content.decode()

    assert ("Request a return" in html) is offered


def test_buy_again_puts_the_lines_back_in_the_cart_within_stock(client):
    user = UserFactory.create()
    order = paid_order(user=user, lines=2)
    first, second = order.lines.order_by("pk")
    Variant.objects.filter(order_lines=second).update(is_active=False)
    client.force_login(user)

    response = client.post(_url("buy_again", order), follow=True)

    cart = Cart.objects.get(user=user)
    assert list(cart.lines.values_list("variant_id", "quantity")) == [(first.variant_id, 1)]
    text = response.content.decode()
    assert f"{second.product_title} is no longer available." in text
    assert response.redirect_chain[-1][0] == reverse("cart:detail")
