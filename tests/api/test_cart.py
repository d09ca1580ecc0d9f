"""The cart over the API: a guest's by its X-Cart-Token, a signed-in
person's own; the cart services' refusals as problems; amounts from the one
pricing function; constant queries whatever the number of lines."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.cart_views import CART_TOKEN_HEADER, cart_token
from api.scopes import CART_WRITE, ORDERS_WRITE, READ
from api.tokens import access_token_create
from cart.models import Cart
from cart.services import cart_create
from promotions.values import OfferKind
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from tests.orders.factories import stocked_variants
from tests.promotions.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

EUR = "EUR"


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": EUR}


def guest() -> tuple[APIClient, str]:
    """A client with a new guest cart; its token is sent on every request."""
    client = APIClient()
    response = client.post("/api/v1/cart/")
    assert response.status_code == 201
    token = response[CART_TOKEN_HEADER]
    client.credentials(HTTP_X_CART_TOKEN=token)
    return client, token


def with_token(user, *scopes: str) -> APIClient:
    client = APIClient()
    key = access_token_create(user=user, name="app", scopes=list(scopes)).key
    client.credentials(HTTP_AUTHORIZATION="Bearer " + key)
    return client


def test_a_guest_cart_is_made_read_and_changed_by_its_token():
    lamp, shade = stocked_variants(10, 10, price=Decimal("12.50"))
    client, _token = guest()

    added = client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 2}, format="json")
    client.post("/api/v1/cart/lines/", {"variant": shade.pk, "quantity": 1}, format="json")
    line_id = added.json()["lines"][0]["id"]
    changed = client.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 3}, format="json")
    cart = client.get("/api/v1/cart/").json()

    assert added.status_code == 201
    assert changed.status_code == 200
    assert [(line["variant_id"], line["quantity"]) for line in cart["lines"]] == [(lamp.pk, 3), (shade.pk, 1)]
    first = cart["lines"][0]
    assert first["unit_price"] == money("12.50")
    assert first["total"] == money("37.50")
    assert first["sku"] == lamp.sku
    assert cart["item_count"] == 4
    # Prices include tax; no rate for the default country is set up here.
    assert cart["totals"]["subtotal"] == money("50.00")
    assert cart["totals"]["shipping"] is None
    assert cart["totals"]["total"] == money("50.00")
    removed = client.delete(f"/api/v1/cart/lines/{line_id}/")
    assert [line["variant_id"] for line in removed.json()["lines"]] == [shade.pk]


def test_a_promo_code_is_applied_and_removed_with_its_discount_from_the_pricing():
    (lamp,) = stocked_variants(10, price=Decimal("20.00"))
    PromoCodeFactory.create(code="TEN", kind=OfferKind.PERCENT, value=Decimal(10))
    client, _token = guest()
    client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 2}, format="json")

    applied = client.post("/api/v1/cart/promo-codes/", {"code": "ten"}, format="json")
    unknown = client.post("/api/v1/cart/promo-codes/", {"code": "NOPE"}, format="json")
    removed = client.delete("/api/v1/cart/promo-codes/?code=TEN")
    again = client.delete("/api/v1/cart/promo-codes/?code=TEN")

    assert applied.status_code == 200
    body = applied.json()
    assert body["promo_codes"] == [{"code": "TEN", "amount": money("4.00"), "refused": None}]
    assert body["totals"]["discount_total"] == money("4.00")
    assert body["totals"]["total"] == money("36.00")
    assert body["lines"][0]["savings"][0]["amount"] == money("4.00")
    assert unknown.status_code == 400
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["code"].startswith("promo_")
    assert removed.json()["promo_codes"] == []
    assert removed.json()["totals"]["total"] == money("40.00")
    assert again.status_code == 400
    assert again.json()["detail"] == "TEN is not applied to your cart."


def test_the_services_refusals_are_problems_with_their_message():
    (lamp,) = stocked_variants(3)
    client, _token = guest()

    unknown = client.post("/api/v1/cart/lines/", {"variant": 999999, "quantity": 1}, format="json")
    zero = client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 0}, format="json")
    text = client.post("/api/v1/cart/lines/", {"variant": "lamp", "quantity": "two"}, format="json")
    too_many = client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 4}, format="json")
    over_limit = client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 21}, format="json")
    not_a_dict = client.post("/api/v1/cart/lines/", [1, 2], format="json")

    assert unknown.status_code == 400
    assert unknown.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "This product does not exist.",
        "code": "cart_refused",
    }
    assert zero.status_code == 400
    assert zero.json()["errors"] == {"quantity": ["The quantity must be at least 1."]}
    assert text.json()["errors"] == {
        "variant": ["This product does not exist."],
        "quantity": ["Enter the quantity as a whole number, like 2."],
    }
    assert too_many.status_code == 400
    assert too_many.json()["detail"] == "Only 3 of Lamp are in stock."
    assert over_limit.json()["detail"] == "You can buy at most 20 of one item per order."
    assert not_a_dict.status_code == 400
    assert Cart.objects.get().lines.count() == 0


def test_no_token_is_a_401_and_a_bad_or_someone_elses_cart_token_a_404():
    (lamp,) = stocked_variants(5)
    someone = UserFactory.create()
    their_cart = cart_create(user=someone)
    _client, guest_token = guest()
    other_client, _other_token = guest()
    line = _client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json").json()

    anonymous = APIClient()
    assert anonymous.get("/api/v1/cart/").status_code == 401
    assert (
        anonymous.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json").status_code
        == 401
    )
    forged = APIClient(HTTP_X_CART_TOKEN=guest_token[:-2] + "xx")
    assert forged.get("/api/v1/cart/").status_code == 404
    # A token for a cart that belongs to a person is no key to it.
    users = APIClient(HTTP_X_CART_TOKEN=cart_token(their_cart))
    assert users.get("/api/v1/cart/").status_code == 404
    # Another guest cannot touch this guest's line.
    line_id = line["lines"][0]["id"]
    assert (
        other_client.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 2}, format="json").status_code
        == 404
    )
    assert other_client.delete(f"/api/v1/cart/lines/{line_id}/").status_code == 404
    assert _client.get("/api/v1/cart/").json()["lines"][0]["quantity"] == 1


def test_a_signed_in_customer_uses_their_own_cart_and_a_token_needs_its_scope():
    (lamp,) = stocked_variants(5)
    ada, bob = UserFactory.create(), UserFactory.create()
    bobs_line = with_token(bob, CART_WRITE).post(
        "/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json"
    )
    writer = with_token(ada, CART_WRITE, READ)
    reader = with_token(ada, READ)
    orders_only = with_token(ada, ORDERS_WRITE)

    made = writer.post("/api/v1/cart/")
    added = writer.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 2}, format="json")
    read = reader.get("/api/v1/cart/")
    refused = reader.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json")
    unread = orders_only.get("/api/v1/cart/")
    bobs_line_id = bobs_line.json()["lines"][0]["id"]
    theirs = writer.patch(f"/api/v1/cart/lines/{bobs_line_id}/", {"quantity": 3}, format="json")

    assert made.status_code == 200
    assert CART_TOKEN_HEADER not in made
    assert added.status_code == 201
    assert read.json()["lines"][0]["quantity"] == 2
    assert Cart.objects.get(user=ada).lines.get().quantity == 2
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This token lacks the scope “cart:write”."
    assert unread.status_code == 403
    assert theirs.status_code == 404
    assert Cart.objects.get(user=bob).lines.get().quantity == 1


def test_a_signed_in_session_without_a_cart_reads_an_empty_one():
    client = APIClient()
    client.force_login(UserFactory.create())

    response = client.get("/api/v1/cart/")

    assert response.status_code == 200
    assert response.json() == {"lines": [], "item_count": 0, "promo_codes": [], "totals": None, "removed": []}


def _cart_queries(lines: int) -> int:
    variants = stocked_variants(*([30] * lines), title=f"Lamp {lines}")
    client, _token = guest()
    for variant in variants:
        client.post("/api/v1/cart/lines/", {"variant": variant.pk, "quantity": 1}, format="json")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/cart/")
    assert len(response.json()["lines"]) == lines
    return len(queries)


def test_reading_the_cart_takes_the_same_queries_for_2_and_10_lines():
    assert _cart_queries(2) == _cart_queries(10)


# --- A guest cart joins the person's cart once they sign in ---------------------------


def test_a_guest_cart_joins_the_cart_of_the_person_who_signed_in():
    lamp, shade = stocked_variants(10, 3)
    ada = UserFactory.create()
    client, token = guest()
    client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 2}, format="json")
    client.post("/api/v1/cart/lines/", {"variant": shade.pk, "quantity": 3}, format="json")
    signed_in = with_token(ada, READ, CART_WRITE)
    signed_in.post("/api/v1/cart/lines/", {"variant": shade.pk, "quantity": 2}, format="json")

    merged = signed_in.post("/api/v1/cart/merge/", HTTP_X_CART_TOKEN=token)
    again = signed_in.post("/api/v1/cart/merge/", HTTP_X_CART_TOKEN=token)

    assert merged.status_code == 200
    assert merged.json()["added"] == 3  # 2 lamps, and 1 shade: only 3 in stock
    assert merged.json()["notes"] == ["Only 1 more of Lamp could be added (stock or per-order limit)."]
    lines = merged.json()["cart"]["lines"]
    assert sorted((line["variant_id"], line["quantity"]) for line in lines) == [(lamp.pk, 2), (shade.pk, 3)]
    assert again.status_code == 404  # the guest cart is gone
    assert client.get("/api/v1/cart/").status_code == 404
    assert Cart.objects.count() == 1


def test_a_person_without_a_cart_takes_the_guest_cart_over():
    (lamp,) = stocked_variants(10)
    ada = UserFactory.create()
    client, token = guest()
    client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 2}, format="json")

    merged = with_token(ada, CART_WRITE).post("/api/v1/cart/merge/", HTTP_X_CART_TOKEN=token)

    assert merged.json()["added"] == 2
    assert Cart.objects.get().user == ada


def test_merging_needs_a_signed_in_person_with_cart_write_and_a_guest_cart_s_token():
    (lamp,) = stocked_variants(10)
    ada, bob = UserFactory.create(), UserFactory.create()
    client, token = guest()
    bobs = with_token(bob, CART_WRITE)
    bobs.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json")
    bobs_cart = Cart.objects.get(user=bob)

    anonymous = client.post("/api/v1/cart/merge/")
    read_only = with_token(ada, READ).post("/api/v1/cart/merge/", HTTP_X_CART_TOKEN=token)
    no_token = with_token(ada, CART_WRITE).post("/api/v1/cart/merge/")
    bad_token = with_token(ada, CART_WRITE).post("/api/v1/cart/merge/", HTTP_X_CART_TOKEN="nonsense")
    someones = with_token(ada, CART_WRITE).post(
        "/api/v1/cart/merge/", HTTP_X_CART_TOKEN=cart_token(bobs_cart)
    )

    assert anonymous.status_code == 401
    assert read_only.status_code == 403
    assert no_token.status_code == 400
    assert "X-Cart-Token" in no_token.json()["errors"]
    assert bad_token.status_code == 404
    assert someones.status_code == 404  # a person's cart is no guest cart
    assert Cart.objects.get(user=bob).lines.get().quantity == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_merges_of_one_guest_cart_add_its_lines_once():
    (lamp,) = stocked_variants(10)
    ada = UserFactory.create()
    client, token = guest()
    client.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 2}, format="json")
    key = "Bearer " + access_token_create(user=ada, name="app", scopes=[CART_WRITE]).key
    writer = APIClient(HTTP_AUTHORIZATION=key)
    writer.post("/api/v1/cart/lines/", {"variant": lamp.pk, "quantity": 1}, format="json")

    def merge(n: int) -> str:
        return str(
            APIClient()
            .post("/api/v1/cart/merge/", HTTP_AUTHORIZATION=key, HTTP_X_CART_TOKEN=token)
            .status_code
        )

    outcomes = run_in_threads(4, merge)

    assert sum(outcomes.values()) == 4
    assert set(outcomes) <= {"200", "404"}
    assert Cart.objects.get(user=ada).lines.get().quantity == 3
    assert Cart.objects.count() == 1
