"""A cart left with items: one reminder, after CART_REMINDER_AFTER_HOURS, to
a shopper we can write to (signed in, or a guest who gave their address at
the checkout), with a link that brings the cart back in any browser."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cart.models import Cart
from cart.services import cart_line_add
from notifications.models import Notification
from notifications.preferences import email_preference_set, site_preference_set
from orders.checkout.steps import checkout_contact_set, checkout_get
from orders.reminders import carts_abandoned_remind
from tests.factories import UserFactory
from tests.orders.factories import cart_of, stocked_variants

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=4, minutes=1)


def _opted_in(*emails: str) -> None:
    """These addresses confirmed they want the shop's news (double opt-in)."""
    for email in emails:
        email_preference_set(email=email, group="marketing", enabled=True, source="test", confirmed=True)


def _left(cart: Cart, ago: timedelta) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - ago)
    cart.refresh_from_db()


def _reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind="cart.reminder").order_by("pk"))


def test_a_guest_who_gave_an_address_and_a_customer_get_one_reminder_each(
    django_capture_on_commit_callbacks, mailoutbox
):
    lamp, vase = stocked_variants(5, 5, title="Desk lamp")
    guest_cart = cart_of((lamp, 2))
    checkout_contact_set(checkout=checkout_get(cart=guest_cart), email="guest@example.com")
    ada = UserFactory.create(email="ada@example.com")
    ada_cart = cart_of((vase, 1), user=ada)
    anonymous = cart_of((lamp, 1))  # nobody to write to
    bob = UserFactory.create(email="bob@example.com")
    not_opted_in = cart_of((lamp, 1), user=bob)
    _opted_in("guest@example.com", "ada@example.com")
    site_preference_set(user=ada, group="marketing", enabled=True, source="test")
    for cart in (guest_cart, ada_cart, anonymous, not_opted_in):
        _left(cart, LATER)

    with django_capture_on_commit_callbacks(execute=True):
        assert carts_abandoned_remind() == 3  # asked for three; Bob did not opt in
    with django_capture_on_commit_callbacks(execute=True):
        carts_abandoned_remind()  # beat again: nothing more

    assert sorted(message.to[0] for message in mailoutbox) == ["ada@example.com", "guest@example.com"]
    guest_mail = next(m for m in mailoutbox if m.to == ["guest@example.com"])
    assert guest_mail.subject == "[Shop] Your cart is waiting for you"
    assert "2 x Desk lamp" in guest_mail.body
    assert "http://127.0.0.1:8000/cart/back/" in guest_mail.body
    notice = next(n for n in _reminders() if n.user == ada)
    assert (notice.title, notice.link) == ("Your cart is waiting for you", "/cart/")
    assert not Notification.objects.filter(email="bob@example.com").exists()
    assert guest_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_not_before_the_time_not_for_an_empty_cart_nor_an_old_one():
    (lamp,) = stocked_variants(5)
    ada = UserFactory.create()
    fresh = cart_of((lamp, 1), user=ada)
    _left(fresh, timedelta(hours=3))
    empty = cart_of(user=UserFactory.create())
    _left(empty, LATER)
    old = cart_of((lamp, 1), user=UserFactory.create())
    _left(old, timedelta(days=4))

    assert carts_abandoned_remind() == 0
    assert _reminders() == []


def test_a_cart_changed_and_left_again_is_a_new_occasion():
    (lamp,) = stocked_variants(5)
    cart = cart_of((lamp, 1), user=UserFactory.create(email="ada@example.com"))
    _opted_in("ada@example.com")
    _left(cart, LATER)
    carts_abandoned_remind()

    cart_line_add(cart=cart, variant_id=lamp.pk, quantity=1)
    _left(cart, LATER)
    carts_abandoned_remind()

    assert len(_reminders()) == 2


def _reminder_link(cart: Cart) -> str:
    _opted_in(cart.user.email if cart.user else "guest@example.com")
    _left(cart, LATER)
    carts_abandoned_remind()
    (reminder,) = _reminders()
    link = next(word for word in reminder.text.split() if "/cart/back/" in word)
    return link.removeprefix("http://127.0.0.1:8000")


def test_the_link_brings_a_guest_cart_into_another_browser_and_joins_its_cart():
    lamp, vase = stocked_variants(5, 5)
    cart = cart_of((lamp, 2))
    checkout_contact_set(checkout=checkout_get(cart=cart), email="guest@example.com")
    link = _reminder_link(cart)
    other_browser = Client()
    assert other_browser.post("/cart/add/", {"variant": vase.pk, "quantity": 1}).status_code == 303

    response = other_browser.get(link)

    assert response["Location"] == reverse("cart:detail")
    page = other_browser.get(reverse("cart:detail"))
    assert page.context["page"].count == 3  # the lamps and the vase
    assert other_browser.session["cart_id"] == cart.pk


def test_a_customers_link_asks_them_to_sign_in_and_a_bad_link_says_so():
    (lamp,) = stocked_variants(5)
    ada = UserFactory.create()
    link = _reminder_link(cart_of((lamp, 1), user=ada))

    assert Client().get(link)["Location"] == f"{reverse('account_login')}?next=/cart/"
    signed_in = Client()
    signed_in.force_login(ada)
    assert signed_in.get(link)["Location"] == "/cart/"

    stranger = Client()
    response = stranger.get(link[:-3] + "xyz/", follow=True)
    assert response.status_code == 200
    assert "This link to a cart has expired or is not valid any more." in response.content.decode()
