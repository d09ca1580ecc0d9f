"""A person's orders in "Download my data" (with payments, shipments,
returns and the emails sent) and in "Delete my account": afterwards the
whole database holds their email, name, phone and street only where the
invoices of paid orders must keep them (docs/decisions.md)."""

import itertools
import json
from functools import reduce
from operator import or_

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cart.models import Cart
from catalog.models import Variant
from notifications.models import Notification, Preference, Suppression
from notifications.preferences import email_preference_set, site_preference_set
from orders.checkout.placement import order_place
from orders.checkout.steps import (
    checkout_addresses_set,
    checkout_contact_set,
    checkout_get,
    checkout_shipping_set,
)
from orders.lifecycle.cancellation import order_cancel
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.lifecycle.payment import order_mark_paid
from orders.lifecycle.returns import return_request
from orders.models import Checkout, Order, Return
from orders.privacy import account_delete, personal_data_export
from payments.models import Payment, WebhookEvent
from shipping.models import Shipment, ShippingMethod, TrackingEvent
from tests.factories import DEFAULT_PASSWORD, AddressFactory, UserFactory
from tests.orders.factories import cart_of, germany, option_id, pay, stocked_variants
from tests.promotions.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

EMAIL = "ada.lovelace@example.org"
NAME = "Ada Lovelace"
PHONE = "+493018151852"
STREET = "Babbagestrasse 1815"
HOME = {
    "full_name": NAME,
    "street_address_1": STREET,
    "postal_code": "10117",
    "city": "Berlin",
    "country_code": "DE",
    "phone": PHONE,
}
# What is searched for: the email, the family name (alone on the user row),
# the phone without its "+" (national and international forms share it), the street.
NEEDLES = {"email": EMAIL, "name": "Lovelace", "phone": "3018151852", "street": "Babbagestrasse"}


_titles = itertools.count(1)


def _order(user: User | None, *, email: str = EMAIL, codes: tuple[str, ...] = ()) -> Order:
    """A pending order of two lamps to the person's home, through the checkout's services."""
    variants = stocked_variants(5, 5, title=f"Lamp {next(_titles)}")
    method = ShippingMethod.objects.filter(zone__name="Germany").first() or germany()
    if user is not None:  # one cart per user: the last order's cart goes
        Cart.objects.filter(user=user).delete()
    checkout = checkout_get(cart=cart_of(*((variant, 1) for variant in variants), user=user, codes=codes))
    if user is None:
        checkout_contact_set(checkout=checkout, email=email)
    checkout_addresses_set(checkout=checkout, shipping=HOME, billing=None)
    checkout_shipping_set(checkout=checkout, option_id=option_id(method))
    checkout.refresh_from_db()
    return order_place(checkout=checkout, user=user)


def _paid(order: Order) -> Order:
    order_mark_paid(number=order.number, payment=pay(order))
    order.refresh_from_db()
    return order


@pytest.fixture
def person(django_capture_on_commit_callbacks):
    """Ada, with everything a customer leaves behind: a guest order from before
    she signed up (its checkout still there), a paid, shipped, delivered and
    partly returned order with a promo code, a webhook event about its
    payment, a cancelled and a pending order, order and account emails sent,
    an address book, a social account, 2FA, a cart and the admin's history."""
    with django_capture_on_commit_callbacks(execute=True):
        guest = _order(None)
        PromoCodeFactory.create(code="ADA10")
        user = UserFactory.create(email=EMAIL, first_name="Ada", last_name="Lovelace", phone=PHONE)
        Order.objects.filter(pk=guest.pk).update(user=user)  # claimed at sign-in
        address = AddressFactory.create(
            user=user, label="Home", full_name=NAME, street_address_1=STREET, phone=PHONE
        )
        SocialAccount.objects.create(
            user=user, provider="github", uid="1815", extra_data={"name": NAME, "email": EMAIL}
        )
        Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
        paid = _paid(_order(user, codes=("ADA10",)))
        shipment = order_ship(order_id=paid.pk, by=None, carrier="table", tracking_number="ADA1815")
        TrackingEvent.objects.create(
            shipment=shipment,
            occurred_at=shipment.created_at,
            place="Berlin",
            description="Delivered",
            status=Shipment.Status.DELIVERED,
            dedupe_key="ada-1",
        )
        order_mark_delivered(order_id=paid.pk)
        return_request(
            order=paid, user=user, lines={paid.lines.order_by("pk")[0].pk: 1}, reason=f"Too small for {NAME}"
        )
        payment = Payment.objects.get(order_reference=paid.number)
        WebhookEvent.objects.create(
            gateway="stripe",
            event_id="evt_ada",
            type="payment_intent.succeeded",
            payload={
                "id": "evt_ada",
                "type": "payment_intent.succeeded",
                "created": 1,
                "data": {
                    "object": {
                        "id": payment.gateway_reference,
                        "status": "succeeded",
                        "receipt_email": EMAIL,
                        "billing_details": {"name": NAME, "phone": PHONE, "address": {"line1": STREET}},
                    }
                },
            },
        )
        cancelled = _order(user)
        order_cancel(order_id=cancelled.pk, by=user)
        _order(user)  # pending
        Cart.objects.filter(user=user).delete()
        cart_of((stocked_variants(3, title="Candle")[0], 2), user=user)
        Notification.objects.create(  # an account email, owed and holding the name
            kind="account.email_confirmation",
            key="welcome",
            email=EMAIL,
            subject=f"Welcome, {NAME}",
            text=f"Dear {NAME}",
        )
        # Consent to news by the address (double opt-in), a choice in the
        # site, and the address suppressed after a complaint.
        email_preference_set(
            email=EMAIL, group="marketing", enabled=True, source="double opt-in", confirmed=True
        )
        site_preference_set(user=user, group="wishlist", enabled=False, source="preferences page")
        Suppression.objects.create(email=EMAIL, reason=Suppression.Reason.COMPLAINED, provider="Postmark")
        staff = UserFactory.create(is_staff=True, first_name="Sam", last_name="Staff")
        for obj in (user, address):
            LogEntry.objects.create(
                user=staff,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_repr=str(obj),
                action_flag=CHANGE,
            )
    return user


def _occurrences() -> set[tuple[str, object, str, str]]:
    """Every (model, pk, column, needle) where a text column of any table
    holds one of NEEDLES, without regard to case; one query per column."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            rows = (
                model._base_manager.annotate(scanned=Cast(field.attname, output_field=TextField()))
                .filter(reduce(or_, (Q(scanned__icontains=needle) for needle in NEEDLES.values())))
                .values_list("pk", "scanned")
            )
            for pk, text in rows:
                found |= {
                    (model._meta.label, pk, field.name, what)
                    for what, needle in NEEDLES.items()
                    if needle.lower() in text.lower()
                }
    # Sessions are stored encoded: read them as the application does.
    for session in Session.objects.all():
        text = json.dumps(SessionStore().decode(session.session_data)).lower()
        found |= {
            ("sessions.Session", session.pk, "session_data", what)
            for what, needle in NEEDLES.items()
            if needle.lower() in text
        }
    return found


def test_before_deletion_the_scan_finds_the_person_everywhere(person):
    # The scan's own check: it does see what the fixture left.
    tables = {label for label, _pk, _column, _what in _occurrences()}

    assert {
        "accounts.User",
        "accounts.Address",
        "account.EmailAddress",
        "socialaccount.SocialAccount",
        "orders.Order",
        "orders.Checkout",
        "orders.Return",
        "orders.OrderEvent",
        "payments.Payment",
        "payments.WebhookEvent",
        "shipping.Shipment",
        "promotions.Redemption",
        "notifications.Notification",
        "notifications.Preference",
        "notifications.Suppression",
        "admin.LogEntry",
    } <= tables


def test_after_deletion_only_the_invoice_fields_of_paid_orders_hold_the_person(
    person, django_capture_on_commit_callbacks, mailoutbox
):
    client, other_device = Client(), Client()
    client.force_login(person)
    other_device.force_login(person)
    paid = Order.objects.get(user=person, paid_at__isnull=False)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), {"confirmation": DEFAULT_PASSWORD})

    assert response.status_code == 302
    # The last message to the address: sent, and then not even the address is kept.
    assert [(message.subject, message.to) for message in mailoutbox] == [
        ("[Shop] Your account was deleted", [EMAIL])
    ]
    assert _occurrences() == {
        ("orders.Order", paid.pk, "billing_address", "name"),
        ("orders.Order", paid.pk, "billing_address", "street"),
    }
    assert Order.objects.get(pk=paid.pk).billing_address == {
        "full_name": NAME,
        "street_address_1": STREET,
        "postal_code": "10117",
        "city": "BERLIN",
        "country_code": "DE",
    }


def test_deletion_keeps_the_records_the_books_need_without_the_person(person):
    before = {order.number: order for order in Order.objects.filter(user=person)}
    pending = {number for number, order in before.items() if order.status == Order.Status.PENDING_PAYMENT}
    assert len(pending) == 2  # the claimed guest order and the last one

    account_delete(user=person)

    placeholder = f"deleted-{person.pk}@deleted.invalid"
    after = {order.number: order for order in Order.objects.filter(user=person)}
    assert set(after) == set(before)
    assert {order.email for order in after.values()} == {placeholder}
    assert {number: order.total for number, order in after.items()} == {
        number: order.total for number, order in before.items()
    }
    # Pending ones are cancelled: paid later, they would be invoices without a name.
    for number in pending:
        assert after[number].status == Order.Status.CANCELLED
        assert after[number].events.filter(note="Cancelled: the customer deleted their account.").exists()
        assert after[number].shipping_address == {"country_code": "DE"}
    assert not Variant.objects.filter(stock_reserved__gt=0).exists()
    kept = {order.status: order for order in after.values()}
    assert kept["cancelled"].billing_address == {"country_code": "DE"}
    assert kept["delivered"].shipping_address == {"country_code": "DE"}
    assert Payment.objects.filter(order_reference=kept["delivered"].number).get().card_last4 == "4242"
    assert set(Payment.objects.values_list("email", flat=True)) == {""}
    assert Shipment.objects.get().destination == {"country_code": "DE"}
    assert Return.objects.get().reason == ""
    assert kept["delivered"].events.filter(note__endswith="requested: [erased]").exists()
    # Every message to the person goes, owed or sent, email or in-site; one
    # is owed to the old address: the account's deletion, which once sent
    # keeps no address (test_after_deletion_...).
    person_messages = Notification.objects.exclude(kind="catalog.low_stock")
    assert list(person_messages.values_list("kind", "email", "user")) == [("account.deleted", EMAIL, None)]
    assert not Preference.objects.exists()
    assert not Suppression.objects.exists()
    assert not Checkout.objects.exists()
    event = WebhookEvent.objects.get()
    assert event.payload["data"]["object"]["billing_details"] is None
    assert event.payload["data"]["object"]["status"] == "succeeded"


def test_the_export_holds_every_order_with_its_payments_shipments_returns_and_emails(client, person):
    client.force_login(person)

    data = json.loads(client.post(reverse("accounts:data_export")).content)

    orders = {order["status"]: order for order in data["orders"]}
    assert set(orders) == {"pending_payment", "delivered", "cancelled"}
    delivered = orders["delivered"]
    assert delivered["email"] == EMAIL
    assert delivered["billing_address"]["street_address_1"] == STREET
    assert delivered["promo_codes"] == ["ADA10"]
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in delivered["lines"]] == [
        (sku, 1, "10.00")
        for sku in Order.objects.get(number=delivered["number"]).lines.values_list("sku", flat=True)
    ]
    [payment] = delivered["payments"]
    assert (payment["card_brand"], payment["card_last4"], payment["status"]) == ("visa", "4242", "captured")
    assert "4242 4242" not in json.dumps(data)
    [shipment] = delivered["shipments"]
    assert shipment["tracking_number"] == "ADA1815"
    assert "Delivered" in [event["description"] for event in shipment["tracking"]]
    assert sum(line["quantity"] for line in shipment["lines"]) == 2
    [ret] = delivered["returns"]
    assert (ret["reason"], [line["quantity"] for line in ret["lines"]]) == (f"Too small for {NAME}", [1])
    assert [email["kind"] for email in delivered["emails"]] == [
        "confirmation",
        "shipped",
        "delivered",
        "return_requested",
    ]
    assert delivered["emails"][0]["subject"].endswith(f"Order {delivered['number']} confirmed")
    assert all(email["sent_at"] for email in delivered["emails"])
    assert [email["kind"] for email in orders["cancelled"]["emails"]] == ["cancelled"]
    account_messages = [
        (notification["kind"], notification["subject"])
        for notification in data["notifications"]
        if notification["kind"].startswith("account.")
    ]
    assert account_messages == [("account.email_confirmation", f"Welcome, {NAME}")]
    notices = [notification["notice"] for notification in data["notifications"] if notification["notice"]]
    assert f"Your order {delivered['number']} is on its way" in notices
    assert [
        (choice["channel"], choice["group"], choice["email"], choice["enabled"], choice["changed_by"])
        for choice in data["preferences"]
    ] == [
        ("email", "marketing", EMAIL, True, "double opt-in"),
        ("site", "wishlist", "", False, "preferences page"),
    ]
    assert data["preferences"][0]["confirmed_at"]
    assert [(row["email"], row["reason"]) for row in data["suppressed_addresses"]] == [(EMAIL, "complained")]


def test_the_export_takes_as_many_queries_for_many_orders_as_for_one(person):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            personal_data_export(user=person)
        return len(captured)

    before = queries()
    _paid(_order(person))
    _paid(_order(person))

    assert queries() == before
