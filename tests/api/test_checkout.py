"""The checkout over the API: a guest by cart token and a customer by
access token, from the cart to a placed and paid order with the test
gateway; addresses checked as the checkout page checks them; a declined
card; another person's order; Idempotency-Key on placing and paying,
replayed, refused for another request, and a 409 while the first runs
(real threads on PostgreSQL)."""

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

import api.checkout_views
from accounts.services import address_create
from api.cart_views import CART_TOKEN_HEADER
from api.idempotency import idempotency_keys_purge
from api.models import IdempotencyKey
from api.scopes import CART_WRITE, ORDERS_WRITE, READ
from api.tokens import access_token_create
from orders.models import Order
from payments.models import Payment
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from tests.orders.factories import BERLIN, germany, option_id, stocked_variants

pytestmark = pytest.mark.django_db

GOOD_CARD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
DECLINED_CARD = {**GOOD_CARD, "number": "4000 0000 0000 0002"}
SECURE_CARD = {**GOOD_CARD, "number": "4000 0025 0000 3155"}  # asks for 3-D Secure


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def guest_with(variant, quantity: int = 1) -> APIClient:
    client = APIClient()
    token = client.post("/api/v1/cart/")[CART_TOKEN_HEADER]
    client.credentials(HTTP_X_CART_TOKEN=token)
    client.cart_token = token  # type: ignore[attr-defined]
    assert (
        client.post(
            "/api/v1/cart/lines/", {"variant": variant.pk, "quantity": quantity}, format="json"
        ).status_code
        == 201
    )
    return client


def with_token(user, *scopes: str) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer " + access_token_create(user=user, name="app", scopes=list(scopes)).key
    )
    return client


def ready(client: APIClient, method, *, email: str | None = "ada@example.com") -> None:
    """Every step answered, as a client would."""
    body = {"shipping_address": BERLIN, **({"email": email} if email else {})}
    assert client.put("/api/v1/checkout/", body, format="json").status_code == 200
    assert (
        client.put("/api/v1/checkout/shipping-option/", {"id": option_id(method)}, format="json").status_code
        == 200
    )


def test_a_guest_checks_out_by_cart_token_and_pays_with_the_test_card():
    method = germany(price=Decimal("4.90"))
    (lamp,) = stocked_variants(5, price=Decimal("10.00"))
    client = guest_with(lamp, 2)

    empty = client.get("/api/v1/checkout/").json()
    contact = client.put(
        "/api/v1/checkout/", {"email": "ada@example.com", "shipping_address": BERLIN}, format="json"
    )
    options = client.get("/api/v1/checkout/shipping-options/").json()
    chosen = client.put(
        "/api/v1/checkout/shipping-option/", {"id": options["options"][0]["id"]}, format="json"
    )
    placed = client.post("/api/v1/checkout/place/")
    number = placed.json()["order"]["number"]
    paid = client.post(placed.json()["payment"]["card_step"]["pay_url"], GOOD_CARD, format="json")

    assert empty["missing_step"] == "contact"
    assert contact.status_code == 200
    assert contact.json()["shipping_address"]["postal_code"] == "10117"
    assert contact.json()["missing_step"] == "shipping"
    assert options == {
        "options": [
            {
                "id": option_id(method),
                "name": "Standard",
                "carrier": options["options"][0]["carrier"],
                "service": options["options"][0]["service"],
                "price": money("4.90"),
                "delivery_estimate": "2-4 business days",
            }
        ],
        "chosen": None,
        "notice": "",
    }
    checkout = chosen.json()
    assert checkout["missing_step"] is None
    assert checkout["totals"]["shipping"] == money("4.90")
    assert checkout["totals"]["total"] == money("24.90")
    assert checkout["totals"]["tax"] == money("3.97")  # 19 % inside each: 3.19 of 20.00, 0.78 of 4.90
    assert placed.status_code == 201
    assert placed.json()["order"]["total"] == money("24.90")
    assert placed.json()["order"]["status"] == "pending_payment"
    assert placed.json()["payment"]["card_step"]["kind"] == "test_card"
    assert placed.json()["payment"]["card_step"]["pay_url"].endswith(f"/api/v1/orders/{number}/pay/")
    assert paid.status_code == 200
    assert paid.json()["paid"] is True
    assert paid.json()["next"] == "complete"
    assert paid.json()["order"]["status"] == "paid"
    assert paid.json()["payment"]["card_last4"] == "4242"
    assert paid.json()["payment"]["card_brand"] == "visa"
    assert "4242424242424242" not in paid.content.decode()
    order = Order.objects.get()
    assert (order.number, order.status, order.email, order.total) == (
        number,
        "paid",
        "ada@example.com",
        Decimal("24.90"),
    )
    assert client.get("/api/v1/cart/").json()["lines"] == []  # paying emptied the cart


def test_a_customer_with_a_token_checks_out_with_their_account_email():
    method = germany()
    (lamp,) = stocked_variants(5)
    ada = UserFactory.create(email="ada@example.com")
    client = with_token(ada, READ, CART_WRITE, ORDERS_WRITE)
    client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json")

    with_email = client.put("/api/v1/checkout/", {"email": "other@example.com"}, format="json")
    ready(client, method, email=None)
    placed = client.post("/api/v1/checkout/place/")
    number = placed.json()["order"]["number"]
    paid = client.post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json")

    assert with_email.status_code == 400
    assert "email" in with_email.json()["errors"]
    assert paid.json()["order"]["status"] == "paid"
    assert Order.objects.get(number=number).user == ada
    assert Order.objects.get(number=number).email == "ada@example.com"


def test_scopes_checkout_edits_need_cart_write_placing_and_paying_orders_write():
    method = germany()
    (lamp,) = stocked_variants(5)
    ada = UserFactory.create()
    full = with_token(ada, READ, CART_WRITE, ORDERS_WRITE)
    full.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json")
    cart_only = with_token(ada, READ, CART_WRITE)
    read_only = with_token(ada, READ)

    assert read_only.put("/api/v1/checkout/", {"shipping_address": BERLIN}, format="json").status_code == 403
    ready(cart_only, method, email=None)
    refused = cart_only.post("/api/v1/checkout/place/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This token lacks the scope “orders:write”."
    number = full.post("/api/v1/checkout/place/").json()["order"]["number"]
    assert cart_only.post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json").status_code == 403
    assert Order.objects.get().status == "pending_payment"


def test_another_persons_order_is_not_found_for_a_customer_or_a_guest():
    method = germany()
    (lamp,) = stocked_variants(5)
    owner = guest_with(lamp)
    ready(owner, method)
    number = owner.post("/api/v1/checkout/place/").json()["order"]["number"]
    other_guest = guest_with(lamp)
    customer = with_token(UserFactory.create(), ORDERS_WRITE)

    assert other_guest.post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json").status_code == 404
    assert customer.post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json").status_code == 404
    assert APIClient().post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json").status_code == 401
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == 0


def test_bad_addresses_steps_out_of_order_and_a_declined_card_are_problems_with_a_reason():
    method = germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)

    too_early = client.post("/api/v1/checkout/place/")
    no_address = client.get("/api/v1/checkout/shipping-options/")
    bad_postcode = client.put(
        "/api/v1/checkout/", {"shipping_address": {**BERLIN, "postal_code": "1"}}, format="json"
    )
    no_country = client.put(
        "/api/v1/checkout/", {"shipping_address": {**BERLIN, "country_code": "XX"}}, format="json"
    )
    bad_billing = client.put(
        "/api/v1/checkout/",
        {"shipping_address": BERLIN, "billing_address": {**BERLIN, "city": ""}},
        format="json",
    )
    nowhere = client.put(
        "/api/v1/checkout/",
        {
            "shipping_address": {
                "full_name": "A",
                "street_address_1": "1 Rue",
                "postal_code": "75001",
                "city": "Paris",
                "country_code": "FR",
            }
        },
        format="json",
    )
    bad_email = client.put("/api/v1/checkout/", {"email": "not-an-email"}, format="json")
    nothing = client.put("/api/v1/checkout/", {}, format="json")

    assert too_early.status_code == 409
    assert too_early.json()["code"] == "checkout_contact"
    assert no_address.status_code == 409
    assert bad_postcode.status_code == 400
    assert "postal_code" in bad_postcode.json()["errors"]["shipping_address"]
    assert "country_code" in no_country.json()["errors"]["shipping_address"]
    assert list(bad_billing.json()["errors"]) == ["billing_address"]
    assert "city" in bad_billing.json()["errors"]["billing_address"]
    assert nowhere.status_code == 400
    assert nowhere.json()["errors"]["shipping_address"]["non_field_errors"]
    assert "email" in bad_email.json()["errors"]
    assert nothing.status_code == 400
    unknown_method = client.put("/api/v1/checkout/shipping-option/", {"id": "table:999999"}, format="json")
    assert unknown_method.status_code == 409  # no address yet

    ready(client, method)
    unknown_method = client.put("/api/v1/checkout/shipping-option/", {"id": "table:999999"}, format="json")
    assert unknown_method.status_code == 400
    assert unknown_method.json()["errors"]["id"]
    number = client.post("/api/v1/checkout/place/").json()["order"]["number"]
    bad_card = client.post(f"/api/v1/orders/{number}/pay/", {**GOOD_CARD, "number": "1234"}, format="json")
    declined = client.post(f"/api/v1/orders/{number}/pay/", DECLINED_CARD, format="json")
    then_paid = client.post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json")

    assert bad_card.status_code == 400
    assert bad_card.json()["errors"] == {"number": ["Enter a valid card number."]}
    assert declined.status_code == 402
    assert declined["Content-Type"] == "application/problem+json"
    assert declined.json()["code"] == "card_declined"
    assert (
        declined.json()["detail"] == "Your card was declined. Nothing was charged. Please try another card."
    )
    assert then_paid.json()["order"]["status"] == "paid"


def test_a_signed_in_shopper_ships_to_an_address_of_the_book_and_keeps_a_new_one():
    germany()
    (lamp,) = stocked_variants(5)
    ada, grace = UserFactory.create(), UserFactory.create()
    home = address_create(user=ada, data={**BERLIN, "phone": "+49 30 1234567"})
    office = address_create(
        user=ada, data={**BERLIN, "street_address_1": "Friedrichstraße 43", "postal_code": "10969"}
    )
    graces = address_create(user=grace, data={**BERLIN, "full_name": "Grace Hopper"})
    client = with_token(ada, READ, CART_WRITE, ORDERS_WRITE)
    assert (
        client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json").status_code
        == 201
    )

    by_id = client.put(
        "/api/v1/checkout/", {"shipping_address_id": home.pk, "billing_address_id": office.pk}, format="json"
    )
    someone_elses = client.put("/api/v1/checkout/", {"shipping_address_id": graces.pk}, format="json")
    both = client.put(
        "/api/v1/checkout/", {"shipping_address_id": home.pk, "shipping_address": BERLIN}, format="json"
    )
    saved = client.put(
        "/api/v1/checkout/",
        {
            "shipping_address": {**BERLIN, "street_address_1": "Alexanderplatz 7"},
            "save_to_address_book": True,
        },
        format="json",
    )

    assert by_id.status_code == 200
    assert by_id.json()["shipping_address"]["street_address_1"] == "Unter den Linden 1"
    assert by_id.json()["shipping_address"]["phone"] == "+49301234567"
    assert by_id.json()["billing_address"]["street_address_1"] == "Friedrichstraße 43"
    assert someone_elses.status_code == 400
    assert someone_elses.json()["errors"] == {
        "shipping_address_id": ["No such address in your address book."]
    }
    assert both.status_code == 400
    assert saved.status_code == 200
    assert saved.json()["shipping_address"]["street_address_1"] == "Alexanderplatz 7"
    assert sorted(ada.addresses.values_list("street_address_1", flat=True)) == [
        "Alexanderplatz 7",
        "Friedrichstraße 43",
        "Unter den Linden 1",
    ]
    assert grace.addresses.count() == 1


def test_a_guest_has_no_address_book_to_choose_from():
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)
    address = address_create(user=UserFactory.create(), data=BERLIN)

    by_id = client.put("/api/v1/checkout/", {"shipping_address_id": address.pk}, format="json")
    keep = client.put(
        "/api/v1/checkout/", {"shipping_address": BERLIN, "save_to_address_book": True}, format="json"
    )

    assert by_id.status_code == 400
    assert by_id.json()["errors"] == {"shipping_address_id": ["Sign in to use your address book."]}
    assert keep.status_code == 400
    assert "save_to_address_book" in keep.json()["errors"]


def test_the_bank_s_3d_secure_step_is_approved_or_failed_over_the_api():
    method = germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp, 2)
    ready(client, method)
    number = client.post("/api/v1/checkout/place/").json()["order"]["number"]
    authenticate = f"/api/v1/orders/{number}/pay/authenticate/"

    too_early = client.post(authenticate, {"approve": True}, format="json")
    asked = client.post(f"/api/v1/orders/{number}/pay/", SECURE_CARD, format="json")
    not_a_choice = client.post(authenticate, {"approve": "perhaps"}, format="json")
    failed = client.post(
        asked.json()["payment"]["card_step"]["authenticate_url"], {"approve": False}, format="json"
    )
    asked_again = client.post(f"/api/v1/orders/{number}/pay/", SECURE_CARD, format="json")
    approved = client.post(authenticate, {"approve": True}, format="json", HTTP_IDEMPOTENCY_KEY="3ds-1")
    replayed = client.post(authenticate, {"approve": True}, format="json", HTTP_IDEMPOTENCY_KEY="3ds-1")
    after = client.post(authenticate, {"approve": True}, format="json")

    assert too_early.status_code == 409
    assert too_early.json()["code"] == "not_authenticating"
    assert asked.status_code == 200
    assert asked.json()["next"] == "authenticate"
    assert asked.json()["paid"] is False
    assert asked.json()["payment"]["card_step"]["authenticate_url"].endswith(authenticate)
    assert not_a_choice.status_code == 400
    assert "approve" in not_a_choice.json()["errors"]
    assert failed.status_code == 402
    assert failed.json()["code"] == "card_declined"
    assert asked_again.json()["next"] == "authenticate"
    assert approved.status_code == 200
    assert approved.json()["paid"] is True
    assert approved.json()["next"] == "complete"
    assert approved.json()["order"]["status"] == "paid"
    assert replayed.json() == approved.json()
    assert after.status_code == 409  # paid: nothing waits for the bank
    assert Order.objects.get().status == "paid"
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == 1


def test_another_person_cannot_answer_the_bank_s_step_for_an_order():
    method = germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)
    ready(client, method)
    number = client.post("/api/v1/checkout/place/").json()["order"]["number"]
    client.post(f"/api/v1/orders/{number}/pay/", SECURE_CARD, format="json")
    other_guest = guest_with(lamp)

    answer = other_guest.post(f"/api/v1/orders/{number}/pay/authenticate/", {"approve": True}, format="json")

    assert answer.status_code == 404
    assert Order.objects.get(number=number).status == "pending_payment"


def test_placing_twice_makes_one_order_and_a_key_replays_the_first_answer():
    method = germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)
    ready(client, method)

    first = client.post("/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="place-1")
    replay = client.post("/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="place-1")
    other_body = client.post(
        "/api/v1/checkout/place/", {"note": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="place-1"
    )
    without_key = client.post("/api/v1/checkout/place/")
    number = first.json()["order"]["number"]
    paid = client.post(
        f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    paid_again = client.post(
        f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    other_card = client.post(
        f"/api/v1/orders/{number}/pay/", DECLINED_CARD, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    assert without_key.json()["order"]["number"] == number  # one order per checkout anyway
    assert Order.objects.count() == 1
    assert paid.status_code == paid_again.status_code == 200
    assert paid_again.json() == paid.json()
    assert other_card.status_code == 422
    assert Payment.objects.get().status == Payment.Status.CAPTURED
    # Kept: the answers; never the card.
    kept = list(IdempotencyKey.objects.values_list("body", flat=True))
    assert "4242424242424242" not in str(kept)
    assert "4242 4242" not in str(kept)


def test_a_refused_request_releases_its_key_and_keys_expire_after_a_day():
    method = germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)

    early = client.post("/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="k")
    ready(client, method)
    placed = client.post("/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="k")
    bad_key = client.post("/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="x" * 300)

    assert early.status_code == 409
    assert placed.status_code == 201
    assert bad_key.status_code == 400
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_purge() == 1
    assert IdempotencyKey.objects.count() == 0


def test_a_stripe_order_returns_the_payment_intents_client_secret(localstripe):
    germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)
    shipping = client.put(
        "/api/v1/checkout/", {"email": "ada@example.com", "shipping_address": BERLIN}, format="json"
    )
    assert shipping.status_code == 200
    option = client.get("/api/v1/checkout/shipping-options/").json()["options"][0]["id"]
    client.put("/api/v1/checkout/shipping-option/", {"id": option}, format="json")

    placed = client.post("/api/v1/checkout/place/")
    number = placed.json()["order"]["number"]
    card_step = placed.json()["payment"]["card_step"]
    by_card = client.post(f"/api/v1/orders/{number}/pay/", GOOD_CARD, format="json")

    assert placed.status_code == 201
    assert placed.json()["payment"]["gateway"] == "stripe"
    assert card_step["kind"] == "stripe"
    assert card_step["client_secret"].startswith("pi_")
    assert "_secret_" in card_step["client_secret"]
    assert card_step["publishable_key"] == "pk_test_localstripe"
    assert by_card.status_code == 409
    assert by_card.json()["code"] == "card_step_elsewhere"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_sent_while_the_first_places_the_order_is_a_409(monkeypatch):
    """Two threads, each with its own connection: the first claims the key
    and is held inside the placing until the second has its answer."""
    method = germany()
    (lamp,) = stocked_variants(5)
    client = guest_with(lamp)
    ready(client, method)
    token = client.cart_token  # type: ignore[attr-defined]
    second_answered = threading.Event()
    first_inside = threading.Event()
    real_open = api.checkout_views.checkout_payment_open

    def held_open(**kwargs):
        first_inside.set()
        assert second_answered.wait(timeout=30)
        return real_open(**kwargs)

    monkeypatch.setattr(api.checkout_views, "checkout_payment_open", held_open)

    def post(n: int) -> str:
        if n == 1:
            assert first_inside.wait(timeout=30)
        try:
            response = APIClient(HTTP_X_CART_TOKEN=token).post(
                "/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="same"
            )
        finally:
            if n == 1:
                second_answered.set()
        return f"{response.status_code} {response.json().get('code', '')}".strip()

    outcomes = run_in_threads(2, post)

    assert outcomes == Counter({"201": 1, "409 idempotency_key_in_use": 1})
    assert Order.objects.count() == 1
    replay = APIClient(HTTP_X_CART_TOKEN=token).post("/api/v1/checkout/place/", HTTP_IDEMPOTENCY_KEY="same")
    assert replay.status_code == 201
    assert replay.json()["order"]["number"] == Order.objects.get().number
