"""/api/v1/me/…: a person's own account through the API, calling the same
services as the account pages. Every endpoint is walked as its owner, as
another customer (404 for the owner's objects), anonymously (401) and with a
token lacking the scope (403); bad input is a 400 naming the fields; the
order history takes as many queries for 2 orders as for 10; and nothing a
client should not see (a password hash, a token, a card number, another
person's email) is in any answer."""

import json
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Address, User
from api.scopes import ACCOUNT_WRITE, CART_WRITE, ORDERS_WRITE, READ
from api.tokens import access_token_create
from notifications.models import Notification
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.models import Order, Return
from orders.privacy import personal_data_export
from reviews.models import Review
from tests.catalog.factories import ProductFactory
from tests.factories import AddressFactory, UserFactory
from tests.notifications.notices import notice
from tests.orders.account_helpers import paid_order, ship
from tests.reviews.factories import bought, review_of
from wishlists.models import Wishlist
from wishlists.services import item_add, wishlist_create

pytestmark = pytest.mark.django_db

CUSTOMER_SCOPES = [READ, CART_WRITE, ORDERS_WRITE, ACCOUNT_WRITE]
BERLIN = {
    "country_code": "DE",
    "full_name": "Ada Lovelace",
    "street_address_1": "Unter den Linden 1",
    "postal_code": "10117",
    "city": "Berlin",
}


class Keys:
    """The token keys handed out in a test, to prove none comes back."""

    made: list[str] = []


def client_for(user: User | None, scopes: list[str] | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        made = access_token_create(user=user, name="test", scopes=scopes or CUSTOMER_SCOPES)
        Keys.made.append(made.key)
        client.credentials(HTTP_AUTHORIZATION="Bearer " + made.key)
    return client


def delivered_order(user: User) -> Order:
    order = paid_order(user=user)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    order.refresh_from_db()
    return order


@pytest.fixture
def owner() -> User:
    return UserFactory.create(email="owner@example.com")


@pytest.fixture
def world(owner: User) -> dict[str, Any]:
    """One of each of the owner's things."""
    order = paid_order(user=owner, email=owner.email)
    product = order.lines.first().variant.product  # type: ignore[union-attr]
    wishlist = wishlist_create(user=owner, name="Birthday")
    item = item_add(wishlist=wishlist, product=product)
    return {
        "order": order.number,
        "address": AddressFactory.create(user=owner).pk,
        "wishlist": wishlist.pk,
        "item": item.pk,
        "review": review_of(product, user=owner).pk,
        "notice": notice(user=owner).pk,
        "slug": product.slug,
    }


# (method, path, the scope it needs, whether it names one of the owner's objects, a valid body)
ENDPOINTS = [
    ("get", "/api/v1/me/", READ, False, None),
    ("patch", "/api/v1/me/", ACCOUNT_WRITE, False, {"first_name": "Grace"}),
    ("get", "/api/v1/me/addresses/", READ, False, None),
    ("post", "/api/v1/me/addresses/", ACCOUNT_WRITE, False, BERLIN),
    ("get", "/api/v1/me/addresses/{address}/", READ, True, None),
    ("patch", "/api/v1/me/addresses/{address}/", ACCOUNT_WRITE, True, {"label": "Home"}),
    ("delete", "/api/v1/me/addresses/{address}/", ACCOUNT_WRITE, True, None),
    ("get", "/api/v1/me/orders/", READ, False, None),
    ("get", "/api/v1/me/orders/{order}/", READ, True, None),
    ("post", "/api/v1/me/orders/{order}/cancel/", ORDERS_WRITE, True, None),
    ("get", "/api/v1/me/orders/{order}/returns/", READ, True, None),
    ("post", "/api/v1/me/orders/{order}/returns/", ORDERS_WRITE, True, {"lines": [], "reason": "x"}),
    ("get", "/api/v1/me/orders/{order}/invoice/", READ, True, None),
    ("get", "/api/v1/me/wishlists/", READ, False, None),
    ("post", "/api/v1/me/wishlists/", ACCOUNT_WRITE, False, {"name": "Garden"}),
    ("get", "/api/v1/me/wishlists/{wishlist}/", READ, True, None),
    ("patch", "/api/v1/me/wishlists/{wishlist}/", ACCOUNT_WRITE, True, {"name": "Xmas"}),
    ("delete", "/api/v1/me/wishlists/{wishlist}/", ACCOUNT_WRITE, True, None),
    ("post", "/api/v1/me/wishlists/{wishlist}/items/", ACCOUNT_WRITE, True, {"product": 1}),
    ("patch", "/api/v1/me/wishlists/{wishlist}/items/{item}/", ACCOUNT_WRITE, True, {"quantity": 2}),
    ("delete", "/api/v1/me/wishlists/{wishlist}/items/{item}/", ACCOUNT_WRITE, True, None),
    ("get", "/api/v1/me/reviews/", READ, False, None),
    ("post", "/api/v1/me/reviews/", ACCOUNT_WRITE, False, None),
    ("get", "/api/v1/me/reviews/{review}/", READ, True, None),
    ("put", "/api/v1/me/reviews/{review}/", ACCOUNT_WRITE, True, None),
    ("delete", "/api/v1/me/reviews/{review}/", ACCOUNT_WRITE, True, None),
    ("get", "/api/v1/me/notifications/", READ, False, None),
    ("post", "/api/v1/me/notifications/{notice}/read/", ACCOUNT_WRITE, True, None),
    ("post", "/api/v1/me/notifications/read-all/", ACCOUNT_WRITE, False, None),
    ("post", "/api/v1/me/data-export/", READ, False, None),
]
IDS = [f"{method} {path}" for method, path, *_ in ENDPOINTS]


def _call(client: APIClient, method: str, path: str, body: Any) -> Any:
    return (
        getattr(client, method)(path, body, format="json")
        if body is not None
        else getattr(client, method)(path)
    )


@pytest.mark.parametrize(("method", "path", "scope", "owned", "body"), ENDPOINTS, ids=IDS)
def test_anonymous_requests_are_401_problems(world, method, path, scope, owned, body):
    response = _call(APIClient(), method, path.format(**world), body)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(("method", "path", "scope", "owned", "body"), ENDPOINTS, ids=IDS)
def test_a_token_without_the_scope_is_a_403_naming_it(owner, world, method, path, scope, owned, body):
    others = [name for name in CUSTOMER_SCOPES if name != scope]

    response = _call(client_for(owner, others), method, path.format(**world), body)

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert f"“{scope}”" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "scope", "owned", "body"),
    [endpoint for endpoint in ENDPOINTS if endpoint[3]],
    ids=[name for name, endpoint in zip(IDS, ENDPOINTS, strict=True) if endpoint[3]],
)
def test_another_customers_objects_are_404(world, method, path, scope, owned, body):
    stranger = client_for(UserFactory.create())

    response = _call(stranger, method, path.format(**world), body)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    # And nothing changed.
    assert Address.objects.filter(pk=world["address"]).exists()
    assert Wishlist.objects.get(pk=world["wishlist"]).name == "Birthday"
    assert Review.objects.filter(pk=world["review"]).exists()
    assert Order.objects.get(number=world["order"]).status == Order.Status.PAID
    assert Notification.objects.get(pk=world["notice"]).read_at is None


def test_the_lists_hold_only_the_persons_own_things(world):
    stranger = client_for(UserFactory.create())

    for path in ("addresses", "orders", "wishlists", "reviews", "notifications"):
        response = stranger.get(f"/api/v1/me/{path}/")
        assert response.status_code == 200, path
        assert response.json()["results"] == [], path


def test_a_guests_order_is_not_in_the_api_even_with_its_email(owner):
    guest_order = paid_order(user=None, email=owner.email)
    api = client_for(owner)

    assert api.get(f"/api/v1/me/orders/{guest_order.number}/").status_code == 404
    assert api.get("/api/v1/me/orders/").json()["results"] == []


# --- Profile --------------------------------------------------------------------------------


def test_the_profile_reads_and_changes_names_phone_and_preferences(owner):
    api = client_for(owner)

    before = api.get("/api/v1/me/").json()
    response = api.patch(
        "/api/v1/me/",
        {"first_name": " Grace ", "phone": "+49 30 1234567", "email": "x@example.com",
         "preferences": {"wishlist_email": False}},
        format="json",
    )  # fmt: skip

    assert before["email"] == "owner@example.com"
    assert before["preferences"]["wishlist_email"] is True
    assert before["preferences"]["marketing_email"] is False
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["last_name"], body["phone"]) == ("Grace", "Lovelace", "+49 30 1234567")
    assert body["email"] == "owner@example.com"  # read-only
    assert body["preferences"]["wishlist_email"] is False
    assert body["preferences"]["reviews_email"] is True  # untouched by a PATCH
    assert body["marketing_confirmation_sent"] is False
    owner.refresh_from_db()
    assert (owner.first_name, owner.email, owner.phone.as_e164) == (
        "Grace",
        "owner@example.com",
        "+49301234567",
    )


def test_switching_news_on_asks_for_a_confirmation_first(owner):
    response = client_for(owner).patch(
        "/api/v1/me/", {"preferences": {"marketing_email": True}}, format="json"
    )

    assert response.json()["marketing_confirmation_sent"] is True
    assert response.json()["preferences"]["marketing_email"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "not a phone"}, "phone"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"preferences": {"wishlist_email": "maybe"}}, "preferences"),
    ],
)
def test_a_bad_profile_is_a_400_naming_the_field(owner, body, field):
    response = client_for(owner).patch("/api/v1/me/", body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


# --- Addresses ------------------------------------------------------------------------------


def test_the_address_book_adds_changes_and_deletes_through_the_services(owner):
    api = client_for(owner)

    made = api.post("/api/v1/me/addresses/", {**BERLIN, "city": "berlin", "label": "Home"}, format="json")
    second = api.post("/api/v1/me/addresses/", {**BERLIN, "label": "Work"}, format="json")
    changed = api.patch(
        f"/api/v1/me/addresses/{second.json()['id']}/", {"is_default_shipping": True}, format="json"
    )
    listed = api.get("/api/v1/me/addresses/").json()["results"]
    deleted = api.delete(f"/api/v1/me/addresses/{second.json()['id']}/")

    assert made.status_code == 201
    assert made.json()["city"] == "BERLIN"  # normalised for Germany, as the form does
    assert made.json()["is_default_shipping"] is True  # the first address is both defaults
    assert made.json()["lines"] == ["Ada Lovelace", "Unter den Linden 1", "10117 BERLIN", "GERMANY"]
    assert changed.status_code == 200
    assert changed.json()["is_default_shipping"] is True
    assert [(row["label"], row["is_default_shipping"]) for row in listed] == [("Home", False), ("Work", True)]
    assert deleted.status_code == 204
    home = Address.objects.get(user=owner)
    assert (home.label, home.is_default_shipping) == ("Home", True)  # the default passed back


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**BERLIN, "postal_code": "1234"}, ["postal_code"]),
        ({**BERLIN, "country_code": "XX"}, ["country_code"]),
        ({"country_code": "DE"}, ["full_name", "street_address_1"]),
        ({**BERLIN, "phone": "12"}, ["phone"]),
    ],
)
def test_a_bad_address_is_a_400_naming_the_fields(owner, body, fields):
    response = client_for(owner).post("/api/v1/me/addresses/", body, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == fields
    assert not Address.objects.exists()


# --- Orders -----------------------------------------------------------------------------------


def test_the_order_history_lists_the_persons_orders_newest_first(owner):
    older, newer = paid_order(user=owner), paid_order(user=owner)
    api = client_for(owner)

    response = api.get("/api/v1/me/orders/")
    paid = api.get("/api/v1/me/orders/", {"status": "paid"})
    bad = api.get("/api/v1/me/orders/", {"status": "lost"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [newer.number, older.number]
    assert rows[0] == {
        "number": newer.number,
        "status": "paid",
        "status_display": "Paid",
        "created_at": rows[0]["created_at"],
        "item_count": 2,
        "total": {"amount": f"{newer.total:.2f}", "currency": "EUR"},
    }
    assert len(paid.json()["results"]) == 2
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["status"]


def _history_queries(api: APIClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/me/orders/", {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def test_the_order_history_takes_the_same_queries_for_2_and_10_orders(owner):
    api = client_for(owner)
    api.get("/api/v1/me/")  # the token's first use notes its time once
    for _ in range(2):
        paid_order(user=owner)
    two = _history_queries(api)
    for _ in range(8):
        paid_order(user=owner)
    ten = _history_queries(api)

    assert len(api.get("/api/v1/me/orders/", {"page_size": 50}).json()["results"]) == 10
    assert two == ten
    assert ten <= 3  # the token, the page


def test_the_order_page_shows_lines_totals_shipments_and_the_card_by_brand_and_last4(owner):
    order = paid_order(user=owner)
    ship(order, tracking="1Z42", events=2)

    body = client_for(owner).get(f"/api/v1/me/orders/{order.number}/").json()

    assert body["number"] == order.number
    assert body["status"] == "paid"
    assert [line["quantity"] for line in body["lines"]] == [1, 1]
    assert body["lines"][0]["unit_price"] == {"amount": "20.00", "currency": "EUR"}
    assert body["totals"]["total"] == {"amount": f"{order.total:.2f}", "currency": "EUR"}
    assert body["totals"]["subtotal"] == {"amount": "40.00", "currency": "EUR"}
    assert body["shipping_method"] == "Standard"
    assert body["shipping_address"][0] == "Ada Lovelace"
    assert body["payment"] == {
        "status": "captured",
        "card_brand": body["payment"]["card_brand"],
        "card_last4": "4242",
        "captured": {"amount": f"{order.total:.2f}", "currency": "EUR"},
        "refunded": {"amount": "0.00", "currency": "EUR"},
    }
    assert body["payment"]["card_brand"]
    [shipment] = body["shipments"]
    assert shipment["tracking_number"] == "1Z42"
    assert shipment["tracking_url"] == "https://track.example.com/1Z42"
    assert [event["description"] for event in shipment["events"]] == ["Scan 0", "Scan 1"]
    assert "label_url" not in shipment
    assert (body["can_cancel"], body["invoice"]) == (True, True)


def test_cancelling_refunds_and_a_second_cancel_is_a_409(owner):
    order = paid_order(user=owner)
    api = client_for(owner)

    first = api.post(f"/api/v1/me/orders/{order.number}/cancel/")
    second = api.post(f"/api/v1/me/orders/{order.number}/cancel/")

    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert first.json()["payment"]["refunded"] == {"amount": f"{order.total:.2f}", "currency": "EUR"}
    assert second.status_code == 409
    assert second.json()["detail"] == "This order is already cancelled."


def test_a_return_is_requested_with_the_forms_service_and_listed(owner):
    order = delivered_order(owner)
    first, second = order.lines.order_by("pk").values_list("pk", flat=True)
    api = client_for(owner)

    made = api.post(
        f"/api/v1/me/orders/{order.number}/returns/",
        {"lines": [{"line": first, "quantity": 1}], "reason": "Too bright"},
        format="json",
    )
    listed = api.get(f"/api/v1/me/orders/{order.number}/returns/")

    assert made.status_code == 201
    assert made.json()["number"] == f"{order.number}-R1"
    assert made.json()["status"] == "requested"
    assert made.json()["lines"] == [
        {
            "line": first,
            "product_title": made.json()["lines"][0]["product_title"],
            "sku": made.json()["lines"][0]["sku"],
            "quantity": 1,
        }
    ]
    assert listed.json() == [made.json()]
    assert "staff_note" not in made.json()
    assert Return.objects.get().reason == "Too bright"
    assert second  # the other line stays returnable


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [], "reason": "Too big"}, "lines"),
        ({"lines": [{"line": "{first}", "quantity": 0}], "reason": "Too big"}, "lines"),
        ({"lines": [{"line": "{first}", "quantity": 1}], "reason": ""}, "reason"),
        ({"lines": [{"line": "{first}", "quantity": 9}], "reason": "Too big"}, "non_field_errors"),
        ({"lines": [{"line": 999999, "quantity": 1}], "reason": "Too big"}, "non_field_errors"),
        ({"lines": "all", "reason": "Too big"}, "lines"),
    ],
)
def test_a_bad_return_is_a_400_naming_the_field(owner, body, field):
    order = delivered_order(owner)
    first = order.lines.order_by("pk").first().pk  # type: ignore[union-attr]
    body = json.loads(json.dumps(body).replace('"{first}"', str(first)))

    response = client_for(owner).post(f"/api/v1/me/orders/{order.number}/returns/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Return.objects.exists()


def test_an_order_not_shipped_cannot_be_returned(owner):
    order = paid_order(user=owner)
    line = order.lines.first().pk  # type: ignore[union-attr]

    response = client_for(owner).post(
        f"/api/v1/me/orders/{order.number}/returns/",
        {"lines": [{"line": line, "quantity": 1}], "reason": "Too big"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Only an order that has shipped can be returned."]
    }


def test_the_invoice_is_the_pdf_of_the_order_page(owner):
    order = paid_order(user=owner)
    api = client_for(owner)

    response = api.get(f"/api/v1/me/orders/{order.number}/invoice/")
    asked = api.get(f"/api/v1/me/orders/{order.number}/invoice/", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert asked.status_code == 200
    assert asked.content.startswith(b"%PDF")


def test_an_unpaid_orders_invoice_is_a_404(owner):
    order = paid_order(user=owner)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PENDING_PAYMENT)

    response = client_for(owner).get(
        f"/api/v1/me/orders/{order.number}/invoice/", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- Data export --------------------------------------------------------------------------------


def test_the_data_export_is_download_my_data(owner, world):
    response = client_for(owner).post("/api/v1/me/data-export/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    expected = json.loads(json.dumps(personal_data_export(user=owner), cls=DjangoJSONEncoder))
    body = response.json()
    assert body.keys() == expected.keys()
    assert [order["number"] for order in body["orders"]] == [world["order"]]
    assert body["account"]["email"] == "owner@example.com"


# --- Wishlists ------------------------------------------------------------------------------------


def test_lists_are_made_filled_edited_and_emptied(owner, world):
    product_id = Wishlist.objects.get(pk=world["wishlist"]).items.get().product_id
    api = client_for(owner)

    made = api.post("/api/v1/me/wishlists/", {"name": "  Garden  "}, format="json")
    pk = made.json()["id"]
    added = api.post(f"/api/v1/me/wishlists/{pk}/items/", {"product": product_id}, format="json")
    again = api.post(f"/api/v1/me/wishlists/{pk}/items/", {"product": product_id}, format="json")
    item = added.json()["items"][0]["id"]
    edited = api.patch(
        f"/api/v1/me/wishlists/{pk}/items/{item}/", {"note": "blue", "quantity": 3}, format="json"
    )
    listed = api.get("/api/v1/me/wishlists/").json()["results"]
    removed = api.delete(f"/api/v1/me/wishlists/{pk}/items/{item}/")
    deleted = api.delete(f"/api/v1/me/wishlists/{pk}/")

    assert made.status_code == 201
    assert (made.json()["name"], made.json()["items"], made.json()["item_count"]) == ("Garden", [], 0)
    assert added.status_code == 201
    assert len(again.json()["items"]) == 1
    row = added.json()["items"][0]
    assert row["product"]["id"] == product_id
    assert row["price"] == {"amount": "20.00", "currency": "EUR"}
    assert (row["sold"], row["available"]) == (True, 8)  # two variants, 5 each, one of each sold
    assert edited.json()["items"][0]["note"] == "blue"
    assert edited.json()["items"][0]["quantity"] == 3
    assert [(w["name"], w["item_count"]) for w in listed] == [("Birthday", 1), ("Garden", 1)]
    assert removed.status_code == 204
    assert deleted.status_code == 204
    assert not Wishlist.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/api/v1/me/wishlists/", "post", {"name": ""}, "name"),
        ("/api/v1/me/wishlists/", "post", {"name": "   "}, "name"),
        ("/api/v1/me/wishlists/", "post", {"name": "x" * 81}, "name"),
        ("/api/v1/me/wishlists/{wishlist}/items/", "post", {"product": 999999}, "non_field_errors"),
        ("/api/v1/me/wishlists/{wishlist}/items/", "post", {"product": "lamp"}, "product"),
        ("/api/v1/me/wishlists/{wishlist}/items/{item}/", "patch", {"quantity": 0}, "quantity"),
        ("/api/v1/me/wishlists/{wishlist}/items/{item}/", "patch", {"note": "x" * 501}, "note"),
    ],
)
def test_bad_list_input_is_a_400_naming_the_field(owner, world, path, method, body, field):
    response = getattr(client_for(owner), method)(path.format(**world), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


# --- Reviews -----------------------------------------------------------------------------------------


def _review_body(**changes: Any) -> dict[str, Any]:
    return {
        "rating": 4,
        "title": "Bright",
        "body": "Lights the whole desk well.",
        "author_name": "Ada L.",
        **changes,
    }


def test_reviews_are_written_edited_listed_and_deleted_through_the_services(owner, world):
    other = paid_order(user=owner).lines.first().variant.product  # type: ignore[union-attr]
    bought(owner, other, reference="R2")
    api = client_for(owner)

    written = api.post("/api/v1/me/reviews/", _review_body(product_slug=other.slug), format="json")
    rewritten = api.post(
        "/api/v1/me/reviews/", _review_body(product_slug=other.slug, rating=2), format="json"
    )
    pk = written.json()["id"]
    edited = api.put(
        f"/api/v1/me/reviews/{pk}/", _review_body(title="Dim after all", rating=3), format="json"
    )
    listed = api.get("/api/v1/me/reviews/").json()["results"]
    deleted = api.delete(f"/api/v1/me/reviews/{pk}/")

    assert written.status_code == 201
    assert written.json()["status"] == "published"  # a verified buyer's
    assert written.json()["product"] == {"id": other.pk, "title": other.title, "slug": other.slug}
    assert rewritten.status_code == 200
    assert rewritten.json()["id"] == pk
    assert (edited.json()["title"], edited.json()["rating"]) == ("Dim after all", 3)
    assert [row["id"] for row in listed] == [pk, world["review"]]
    assert deleted.status_code == 204
    assert list(Review.objects.filter(author=owner).values_list("pk", flat=True)) == [world["review"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"body": "short"}, "body"),
        ({"title": ""}, "title"),
        ({"author_name": "x" * 61}, "author_name"),
        ({"product_slug": "no-such-product"}, "product_slug"),
        ({"variant": 999999}, "variant"),
    ],
)
def test_a_bad_review_is_a_400_naming_the_field(owner, world, changes, field):
    response = client_for(owner).post(
        "/api/v1/me/reviews/", _review_body(**{"product_slug": world["slug"], **changes}), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


# --- Notices --------------------------------------------------------------------------------------------


def test_notices_are_listed_newest_first_and_marked_read(owner):
    first, second = notice(user=owner, title="One"), notice(user=owner, title="Two")
    api = client_for(owner)

    listed = api.get("/api/v1/me/notifications/").json()["results"]
    read = api.post(f"/api/v1/me/notifications/{first.pk}/read/")
    rest = api.post("/api/v1/me/notifications/read-all/")

    assert [(row["id"], row["title"], row["read_at"]) for row in listed] == [
        (second.pk, "Two", None),
        (first.pk, "One", None),
    ]
    assert listed[0]["link"] == "/orders/A1/"
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert rest.json() == {"count": 1}
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()


# --- What never comes back ----------------------------------------------------------------------------


def test_no_answer_holds_a_password_hash_a_token_a_card_number_or_another_persons_email(owner, world):
    stranger = UserFactory.create(email="stranger@example.com")
    stranger_order = paid_order(user=stranger, email=stranger.email)
    Keys.made = []
    api = client_for(owner)
    order = Order.objects.get(number=world["order"])
    ship(order)
    bodies = []
    for method, path, _scope, _owned, body in ENDPOINTS:
        if method in ("get",) or path.endswith("data-export/"):
            response = _call(api, method, path.format(**world), body)
            assert response.status_code == 200, path
            bodies.append(response.content.decode(errors="replace"))
    answers = "\n".join(bodies)
    owner.refresh_from_db()

    assert owner.password
    assert owner.password not in answers
    assert "md5$" not in answers
    assert "pbkdf2" not in answers
    assert "argon2" not in answers
    assert all(key not in answers for key in Keys.made)
    assert all(token.key_hash not in answers for token in owner.access_tokens.all())
    assert "4242 4242" not in answers
    assert "4242424242424242" not in answers
    assert "stranger@example.com" not in answers
    assert stranger_order.number not in answers


def _grow(kind: str, user: User, count: int) -> None:
    for _ in range(count):
        if kind == "addresses":
            AddressFactory.create(user=user)
        elif kind == "wishlists":
            wishlist_create(user=user, name=f"List {Wishlist.objects.count()}")
        elif kind == "reviews":
            review_of(ProductFactory.create(), user=user)
        else:
            notice(user=user)


@pytest.mark.parametrize("kind", ["addresses", "wishlists", "reviews", "notifications"])
def test_the_other_lists_take_the_same_queries_for_2_and_12_rows(owner, kind, settings):
    settings.REVIEWS_PER_DAY = 50
    api = client_for(owner)
    api.get("/api/v1/me/")  # the token's first use notes its time once
    counts = []
    for grow in (2, 10):
        _grow(kind, owner, grow)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/v1/me/{kind}/", {"page_size": 50})
        assert response.status_code == 200
        counts.append((len(response.json()["results"]), len(queries)))

    assert [rows for rows, _queries in counts] == [2, 12]
    assert counts[0][1] == counts[1][1]


@pytest.mark.parametrize("path", sorted({path for _method, path, *_rest in ENDPOINTS}))
def test_options_names_the_view_without_looking_anything_up(owner, world, path):
    response = client_for(owner).options(path.format(**world))

    assert response.status_code == 200
    assert "actions" not in response.json()
