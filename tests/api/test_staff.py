"""The staff API (/api/v1/staff/): who may call each endpoint (nobody: 401;
a customer: 403 "staff only"; staff without the admin's permission: 403
naming it; a token without the staff scope: 403), and each action changing
state exactly as the admin's action does, through the same service."""

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from api.scopes import READ, STAFF_ANALYTICS, STAFF_CATALOG, STAFF_ORDERS
from api.tokens import access_token_create
from catalog.models import Product, StockMovement, Variant
from catalog.services import variant_update
from orders.lifecycle.fulfilment import order_mark_delivered, order_note_add, order_ship
from orders.lifecycle.returns import return_request
from orders.models import Order, OrderEvent, Return
from payments.models import Payment, Refund
from shipping.models import Shipment
from tests.analytics.factories import sales_today, today
from tests.catalog.factories import CategoryFactory, ProductFactory, TagFactory
from tests.factories import UserFactory
from tests.orders.factories import assert_ledger_balances
from tests.orders.staff_helpers import line_ids, paid_order, payment_of

pytestmark = pytest.mark.django_db

S = Order.Status
BASE = "/api/v1/staff"

# Every endpoint and method: the scope it needs and the admin's permission.
ENDPOINTS = [
    ("get", "/orders/", STAFF_ORDERS, "orders.view_order"),
    ("get", "/orders/X-1/", STAFF_ORDERS, "orders.view_order"),
    ("post", "/orders/X-1/ship/", STAFF_ORDERS, "orders.change_order"),
    ("post", "/orders/X-1/deliver/", STAFF_ORDERS, "orders.change_order"),
    ("post", "/orders/X-1/refund/", STAFF_ORDERS, "orders.change_order"),
    ("post", "/orders/X-1/cancel/", STAFF_ORDERS, "orders.change_order"),
    ("post", "/orders/X-1/notes/", STAFF_ORDERS, "orders.change_order"),
    ("get", "/returns/", STAFF_ORDERS, "orders.view_return"),
    ("get", "/returns/X-1-R1/", STAFF_ORDERS, "orders.view_return"),
    ("post", "/returns/X-1-R1/approve/", STAFF_ORDERS, "orders.change_return"),
    ("post", "/returns/X-1-R1/reject/", STAFF_ORDERS, "orders.change_return"),
    ("post", "/returns/X-1-R1/receive/", STAFF_ORDERS, "orders.change_return"),
    ("post", "/returns/X-1-R1/refund/", STAFF_ORDERS, "orders.change_return"),
    ("get", "/products/", STAFF_CATALOG, "catalog.view_product"),
    ("get", "/products/1/", STAFF_CATALOG, "catalog.view_product"),
    ("patch", "/products/1/", STAFF_CATALOG, "catalog.change_product"),
    ("get", "/variants/1/", STAFF_CATALOG, "catalog.view_variant"),
    ("patch", "/variants/1/", STAFF_CATALOG, "catalog.change_variant"),
    ("post", "/variants/1/stock/", STAFF_CATALOG, "catalog.change_variant"),
    ("get", "/variants/1/stock-movements/", STAFF_CATALOG, "catalog.view_stockmovement"),
    ("get", "/analytics/summary/", STAFF_ANALYTICS, "analytics.view_reports"),
    ("get", "/analytics/reports/daily/", STAFF_ANALYTICS, "analytics.view_reports"),
]
ALL_PERMISSIONS = sorted({perm for _m, _u, _s, perm in ENDPOINTS})
ALL_SCOPES = [STAFF_ORDERS, STAFF_CATALOG, STAFF_ANALYTICS]


def staff(*permissions: str) -> User:
    user = UserFactory.create(is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def token_client(user: User, scopes: list[str]) -> APIClient:
    client = APIClient()
    key = access_token_create(user=user, name="script", scopes=scopes).key
    client.credentials(HTTP_AUTHORIZATION="Bearer " + key)
    return client


@pytest.fixture
def api() -> APIClient:
    """Staff with every permission of the staff API and a token with every staff scope."""
    return token_client(staff(*ALL_PERMISSIONS), ALL_SCOPES)


def call(client: APIClient, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    return getattr(client, method)(BASE + url, data or {}, format="json", **extra)


# --- Who may call what -----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "scope", "perm"), ENDPOINTS)
def test_nobody_signed_in_gets_a_401(method, url, scope, perm):
    response = call(APIClient(), method, url)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "url", "scope", "perm"), ENDPOINTS)
def test_a_customer_gets_a_403_staff_only(method, url, scope, perm):
    client = APIClient()
    client.force_login(UserFactory.create())

    response = call(client, method, url)

    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"
    assert response.json()["detail"] == "This is for staff only."


@pytest.mark.parametrize(("method", "url", "scope", "perm"), ENDPOINTS)
def test_staff_without_the_admins_permission_get_a_403_naming_it(method, url, scope, perm):
    others = [name for name in ALL_PERMISSIONS if name != perm]
    client = APIClient()
    client.force_login(staff(*others))

    response = call(client, method, url)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_missing"
    assert response.json()["detail"] == f"You need the permission “{perm}”."


@pytest.mark.parametrize(("method", "url", "scope", "perm"), ENDPOINTS)
def test_a_token_without_the_staff_scope_gets_a_403_naming_it(method, url, scope, perm):
    other_scopes = [READ, *(name for name in ALL_SCOPES if name != scope)]
    client = token_client(staff(*ALL_PERMISSIONS), other_scopes)

    response = call(client, method, url)

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert scope in response.json()["detail"]


@pytest.mark.parametrize(
    "url", ["/orders/", "/returns/", "/products/", "/analytics/summary/", "/analytics/reports/daily/"]
)
def test_staff_with_the_permission_and_scope_read_the_lists(api, url):
    assert call(api, "get", url).status_code == 200


def test_unknown_numbers_and_ids_are_404_problems(api):
    for method, url in [
        ("get", "/orders/NOPE/"),
        ("post", "/orders/NOPE/ship/"),
        ("get", "/returns/NOPE-R1/"),
        ("get", "/products/999999/"),
        ("patch", "/variants/999999/"),
        ("get", "/variants/999999/stock-movements/"),
        ("get", "/analytics/reports/nothing/"),
    ]:
        response = call(api, method, url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"


# --- Orders ---------------------------------------------------------------------------------


def test_the_order_list_filters_by_status_paid_day_email_and_number(api):
    paid, _variants = paid_order(1)
    shipped, _variants = paid_order(1)
    order_ship(order_id=shipped.pk, by=None, carrier="table")
    assert paid.paid_at is not None
    day = timezone.localtime(paid.paid_at).date().isoformat()

    def numbers(**query: str) -> list[str]:
        response = api.get(f"{BASE}/orders/", query)
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    assert numbers() == [shipped.number, paid.number]
    assert numbers(status="shipped") == [shipped.number]
    assert numbers(paid_from=day, paid_to=day) == [shipped.number, paid.number]
    assert numbers(paid_from="2001-01-01", paid_to="2001-01-31") == []
    assert numbers(email="ADA@example") == [shipped.number, paid.number]
    assert numbers(email="nobody@") == []
    assert numbers(number=paid.number.lower()) == [paid.number]
    row = api.get(f"{BASE}/orders/", {"number": paid.number}).json()["results"][0]
    assert row == {
        "number": paid.number,
        "status": "paid",
        "email": "ada@example.com",
        "country": "DE",
        "item_count": 1,
        "total": {"amount": "14.90", "currency": "EUR"},
        "created_at": row["created_at"],
        "paid_at": row["paid_at"],
    }


def test_bad_order_filters_are_400_problems(api):
    response = api.get(f"{BASE}/orders/", {"status": "lost", "paid_from": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "paid_from"}
    response = api.get(f"{BASE}/orders/", {"paid_from": "2026-02-01", "paid_to": "2026-01-01"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"paid_to"}


def _queries(client: APIClient, url: str) -> int:
    client.get(url)  # the token's last use is written once a minute: not in the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_order_list_runs_the_same_queries_for_2_and_10_orders(api):
    for _n in range(2):
        paid_order(2)
    two = _queries(api, f"{BASE}/orders/")
    for _n in range(8):
        paid_order(1, 1)

    assert api.get(f"{BASE}/orders/").json()["results"].__len__() == 10
    assert _queries(api, f"{BASE}/orders/") == two


def test_the_order_page_has_lines_payments_shipments_returns_and_the_whole_history(api):
    order, _variants = paid_order(2)
    note_author = staff("orders.change_order")
    order_note_add(order_id=order.pk, by=note_author, note="Customer called: leave at the door.")
    order_ship(order_id=order.pk, by=None, carrier="table", tracking_number="TRK-1")
    order_mark_delivered(order_id=order.pk)
    return_request(order=order, user=None, lines={line_ids(order)[0]: 1}, reason="Too big")

    response = api.get(f"{BASE}/orders/{order.number}/")

    assert response.status_code == 200
    page = response.json()
    assert page["status"] == "delivered"
    assert page["total"] == {"amount": "24.90", "currency": "EUR"}
    assert page["shipping_price"] == {"amount": "4.90", "currency": "EUR"}
    assert page["shipping_address"]["city"] == "BERLIN"
    assert [(line["quantity"], line["quantity_shipped"]) for line in page["lines"]] == [(2, 2)]
    [payment] = page["payments"]
    assert (payment["status"], payment["card_brand"], payment["card_last4"]) == ("captured", "visa", "4242")
    assert "gateway_reference" not in payment
    assert [s["tracking_number"] for s in page["shipments"]] == ["TRK-1"]
    assert page["shipments"][0]["lines"][0]["quantity"] == 2
    assert [(r["status"], r["reason"]) for r in page["returns"]] == [("requested", "Too big")]
    notes = [(event["by"], event["note"]) for event in page["events"]]
    assert (note_author.email, "Customer called: leave at the door.") in notes
    assert "fingerprint" not in page


def test_ship_records_a_shipment_and_captures_a_manual_payment_as_the_admin_does(api, settings):
    settings.PAYMENT_CAPTURE = "manual"
    order, _variants = paid_order(2, 1)
    first, second = line_ids(order)
    assert payment_of(order).status == Payment.Status.AUTHORIZED

    response = call(
        api,
        "post",
        f"/orders/{order.number}/ship/",
        {"carrier": "table", "tracking_number": "TRK-7", "lines": [{"line": first, "quantity": 1}]},
    )

    assert response.status_code == 201, response.json()
    assert response.json()["tracking_number"] == "TRK-7"
    assert response.json()["lines"] == [
        {
            "order_line": first,
            "sku": order.lines.get(pk=first).sku,
            "title": response.json()["lines"][0]["title"],
            "quantity": 1,
        }
    ]
    order.refresh_from_db()
    payment = payment_of(order)
    assert order.status == S.PARTIALLY_SHIPPED
    assert (payment.status, payment.captured_amount) == (Payment.Status.CAPTURED, order.total)
    assert OrderEvent.objects.filter(order=order, note="Payment captured at shipment.").count() == 1
    assert Shipment.objects.get(reference=order.number).carrier == "table"

    rest = call(api, "post", f"/orders/{order.number}/ship/", {"carrier": "table"})  # everything left

    assert rest.status_code == 201
    assert {(line["order_line"], line["quantity"]) for line in rest.json()["lines"]} == {
        (first, 1),
        (second, 1),
    }
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    event = OrderEvent.objects.filter(order=order, to_status=S.SHIPPED).get()
    assert event.by is not None
    assert event.by.is_staff


def test_ship_refusals_are_400_or_409_problems_and_change_nothing(api):
    order, _variants = paid_order(1)
    [line] = line_ids(order)

    bad = call(api, "post", f"/orders/{order.number}/ship/", {"carrier": "pigeon", "lines": [{"line": "x"}]})
    too_many = call(
        api,
        "post",
        f"/orders/{order.number}/ship/",
        {"carrier": "table", "lines": [{"line": line, "quantity": 5}]},
    )
    not_ours = call(
        api,
        "post",
        f"/orders/{order.number}/ship/",
        {"carrier": "table", "lines": [{"line": 1, "quantity": 1}]},
    )

    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"carrier", "lines"}
    assert too_many.status_code == 409
    assert too_many.json()["detail"] == f"Only 1 of {order.lines.get().sku} are left to ship."
    assert not_ours.status_code == 409
    assert not Shipment.objects.filter(reference=order.number).exists()
    order.refresh_from_db()
    assert order.status == S.PAID


def test_deliver_a_shipped_order_and_refuse_an_unshipped_one(api):
    order, _variants = paid_order(1)

    early = call(api, "post", f"/orders/{order.number}/deliver/")
    order_ship(order_id=order.pk, by=None, carrier="table")
    done = call(api, "post", f"/orders/{order.number}/deliver/", {"note": "Signed by neighbour"})

    assert early.status_code == 409
    assert early.json()["detail"] == "An order that is paid cannot become delivered."
    assert done.status_code == 200
    assert done.json()["status"] == "delivered"
    assert done.json()["delivered_at"] is not None
    assert done.json()["events"][-1]["note"] == "Signed by neighbour"


def test_a_staff_note_goes_into_the_order_s_history_and_an_empty_one_is_refused(api):
    order, _variants = paid_order(1)
    status_before = order.status

    written = call(api, "post", f"/orders/{order.number}/notes/", {"note": "  Customer phoned: gift wrap.  "})
    empty = call(api, "post", f"/orders/{order.number}/notes/", {"note": "   "})
    missing = call(api, "post", f"/orders/{order.number}/notes/", {})

    assert written.status_code == 201
    assert written.json()["status"] == status_before
    assert written.json()["events"][-1]["note"] == "Customer phoned: gift wrap."
    assert written.json()["events"][-1]["by"]
    assert empty.status_code == missing.status_code == 400
    assert "note" in empty.json()["errors"]
    assert OrderEvent.objects.filter(order=order, note="Customer phoned: gift wrap.").count() == 1


def test_a_refund_sent_twice_with_the_same_idempotency_key_refunds_once(api):
    order, _variants = paid_order(2)
    url = f"/orders/{order.number}/refund/"

    def refund(key: str, amount: str = "5.00") -> Any:
        return call(api, "post", url, {"amount": amount}, HTTP_IDEMPOTENCY_KEY=key)

    first = refund("key-1")
    again = refund("key-1")
    changed = refund("key-1", "6.00")
    other = refund("key-2", "2.50")
    without = call(api, "post", url, {"amount": "1.00"})

    assert first.status_code == again.status_code == other.status_code == without.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["amount"] == {"amount": "5.00", "currency": "EUR"}
    assert changed.status_code == 422
    assert Refund.objects.filter(payment__order_reference=order.number).count() == 3
    assert payment_of(order).refunded_amount == Decimal("8.50")
    # The refund service's own key comes from the header too (payments' unique idempotency_key).
    digest = hashlib.sha256(b"key-1").hexdigest()
    assert Refund.objects.get(pk=first.json()["id"]).idempotency_key == f"api:{order.number}:{digest}"


def test_a_refund_of_lines_with_restocking_puts_the_units_back_through_the_ledger(api):
    order, (variant,) = paid_order(2)
    [line] = line_ids(order)
    on_hand = Variant.objects.get(pk=variant.pk).stock_on_hand

    response = call(
        api,
        "post",
        f"/orders/{order.number}/refund/",
        {"lines": [{"line": line, "quantity": 1}], "restock": True, "reason": "Damaged"},
    )

    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == {"amount": "10.00", "currency": "EUR"}
    variant.refresh_from_db()
    assert variant.stock_on_hand == on_hand + 1
    assert StockMovement.objects.filter(variant=variant, reason="return", reference=order.number).count() == 1
    assert_ledger_balances(variant)


def test_bad_refunds_are_400_or_409_problems(api):
    order, _variants = paid_order(1)
    [line] = line_ids(order)
    url = f"/orders/{order.number}/refund/"

    both = call(api, "post", url, {"amount": "1.00", "lines": [{"line": line, "quantity": 1}]})
    neither = call(api, "post", url, {})
    restock_amount = call(api, "post", url, {"amount": "1.00", "restock": True})
    negative = call(api, "post", url, {"amount": "-3"})
    too_much = call(api, "post", url, {"amount": "999.00"})
    long_key = call(api, "post", url, {"amount": "1.00"}, HTTP_IDEMPOTENCY_KEY="k" * 256)

    assert both.status_code == neither.status_code == 400
    assert both.json()["errors"] == {
        "non_field_errors": ["Give either an amount or the units of some lines."]
    }
    assert restock_amount.status_code == 400
    assert set(restock_amount.json()["errors"]) == {"restock"}
    assert negative.status_code == 400
    assert set(negative.json()["errors"]) == {"amount"}
    assert too_much.status_code == 409
    assert too_much.json()["detail"].startswith("The refund was refused:")
    assert long_key.status_code == 400
    assert not Refund.objects.filter(payment__order_reference=order.number).exists()


def test_cancel_a_paid_order_refunds_it_and_restocks_as_the_admin_does(api):
    order, (variant,) = paid_order(2)
    on_hand = Variant.objects.get(pk=variant.pk).stock_on_hand

    response = call(api, "post", f"/orders/{order.number}/cancel/", {"note": "Out of stock at the supplier"})
    again = call(api, "post", f"/orders/{order.number}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    payment = payment_of(order)
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, order.total)
    variant.refresh_from_db()
    assert variant.stock_on_hand == on_hand + 2
    assert again.status_code == 409
    assert again.json()["detail"] == "This order is already cancelled."


# --- Returns --------------------------------------------------------------------------------


def _return(order: Order | None = None) -> Return:
    if order is None:
        order, _variants = paid_order(2)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    return return_request(order=order, user=None, lines={line_ids(order)[0]: 1}, reason="Too big")


def test_returns_are_listed_by_status_and_shown(api):
    ret = _return()
    other = _return()
    call(api, "post", f"/returns/{other.number}/approve/")

    requested = api.get(f"{BASE}/returns/", {"status": "requested"}).json()["results"]
    shown = api.get(f"{BASE}/returns/{ret.number}/").json()

    assert [row["number"] for row in requested] == [ret.number]
    assert shown["order"] == ret.order.number
    assert shown["lines"][0]["quantity"] == 1
    assert api.get(f"{BASE}/returns/", {"status": "lost"}).status_code == 400


def test_a_return_is_approved_received_with_restocking_and_refunded(api):
    order, (variant,) = paid_order(2)
    ret = _return(order)
    on_hand = Variant.objects.get(pk=variant.pk).stock_on_hand

    approved = call(api, "post", f"/returns/{ret.number}/approve/", {"note": "OK"})
    received = call(api, "post", f"/returns/{ret.number}/receive/", {"restock": True})
    refunded = call(api, "post", f"/returns/{ret.number}/refund/")
    twice = call(api, "post", f"/returns/{ret.number}/refund/")

    assert [r.json()["status"] for r in (approved, received, refunded)] == [
        "approved",
        "received",
        "refunded",
    ]
    assert approved.json()["staff_note"] == "OK"
    variant.refresh_from_db()
    assert variant.stock_on_hand == on_hand + 1
    assert payment_of(order).refunded_amount == Decimal("10.00")
    assert twice.status_code == 409
    assert twice.json()["detail"] == "A return that is refunded cannot become refunded."
    assert payment_of(order).refunded_amount == Decimal("10.00")


def test_a_rejection_needs_a_reason(api):
    ret = _return()

    without = call(api, "post", f"/returns/{ret.number}/reject/")
    rejected = call(api, "post", f"/returns/{ret.number}/reject/", {"reason": "Worn"})
    receive = call(api, "post", f"/returns/{ret.number}/receive/", {"restock": False})

    assert without.status_code == 400
    assert set(without.json()["errors"]) == {"reason"}
    assert (rejected.status_code, rejected.json()["status"], rejected.json()["staff_note"]) == (
        200,
        "rejected",
        "Worn",
    )
    assert receive.status_code == 409


# --- Catalog --------------------------------------------------------------------------------


def test_the_product_list_has_inactive_products_and_filters(api):
    shoes = CategoryFactory.create(name="Shoes")
    boots = CategoryFactory.create(name="Boots", parent=shoes)
    sale = TagFactory.create(name="sale")
    boot = ProductFactory.create(title="Rain boot")
    boot.categories.set([boots])
    boot.tags.set([sale])
    hidden = ProductFactory.create(title="Old lamp", is_active=False, variants__stock=0)

    def ids(**query: Any) -> list[int]:
        response = api.get(f"{BASE}/products/", query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [hidden.pk, boot.pk]
    assert ids(is_active="false") == [hidden.pk]
    assert ids(in_stock="true") == [boot.pk]
    assert ids(category=shoes.pk) == [boot.pk]
    assert ids(tag="sale") == [boot.pk]
    assert ids(q="rain") == [boot.pk]
    assert ids(q=hidden.variants.get().sku.lower()) == [hidden.pk]
    row = api.get(f"{BASE}/products/", {"q": "rain"}).json()["results"][0]
    assert row["categories"] == [{"id": boots.pk, "name": "Boots", "slug": "boots"}]
    assert row["price_min"] == {"amount": "19.99", "currency": "EUR"}
    assert row["variants"][0]["stock_available"] == 10
    assert api.get(f"{BASE}/products/", {"category": "x"}).status_code == 400


def test_the_product_list_runs_the_same_queries_for_2_and_10_products(api):
    tag = TagFactory.create()
    for _n in range(2):
        ProductFactory.create(variants=2).tags.add(tag)
    two = _queries(api, f"{BASE}/products/")
    for _n in range(8):
        product = ProductFactory.create(variants=3)
        product.tags.add(tag)
        product.categories.add(CategoryFactory.create())

    assert len(api.get(f"{BASE}/products/").json()["results"]) == 10
    assert _queries(api, f"{BASE}/products/") == two


def test_patch_a_product_through_the_catalog_service(api):
    product = ProductFactory.create(title="Lamp")
    category = CategoryFactory.create()
    tag = TagFactory.create()

    response = call(
        api,
        "patch",
        f"/products/{product.pk}/",
        {
            "title": "Desk lamp",
            "description": "**Bright**",
            "is_featured": True,
            "is_active": False,
            "categories": [category.pk],
            "tags": [tag.pk],
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Desk lamp"
    assert response.json()["tags"] == [{"id": tag.pk, "name": tag.name, "slug": tag.slug}]
    product.refresh_from_db()
    assert (product.title, product.is_featured, product.is_active) == ("Desk lamp", True, False)
    assert product.description_html == "<p><strong>Bright</strong></p>"  # rendered by product_save
    assert list(product.categories.all()) == [category]


def test_bad_product_edits_are_400_problems_with_the_model_forms_messages(api):
    product = ProductFactory.create(title="Lamp")

    long_title = call(api, "patch", f"/products/{product.pk}/", {"title": "x" * 201})
    blank_title = call(api, "patch", f"/products/{product.pk}/", {"title": ""})
    unknown = call(api, "patch", f"/products/{product.pk}/", {"categories": [999999]})

    assert long_title.status_code == blank_title.status_code == unknown.status_code == 400
    assert set(long_title.json()["errors"]) == {"title"}
    assert set(blank_title.json()["errors"]) == {"title"}
    assert unknown.json()["errors"]["categories"][0].startswith("Select a valid choice.")
    product.refresh_from_db()
    assert product.title == "Lamp"


def test_patch_a_variants_price_and_the_product_listing_follows(api):
    product = ProductFactory.create(variants=1)
    variant = product.variants.get()

    response = call(api, "patch", f"/variants/{variant.pk}/", {"price": "12.00", "compare_at_price": "15.00"})
    negative = call(api, "patch", f"/variants/{variant.pk}/", {"price": "-1.00"})
    cleared = call(api, "patch", f"/variants/{variant.pk}/", {"compare_at_price": None, "is_active": False})

    assert response.status_code == 200, response.json()
    assert response.json()["price"] == {"amount": "12.00", "currency": "EUR"}
    assert response.json()["compare_at_price"] == {"amount": "15.00", "currency": "EUR"}
    assert negative.status_code == 400
    assert set(negative.json()["errors"]) == {"price"}
    assert cleared.json()["compare_at_price"] is None
    assert cleared.json()["is_active"] is False
    variant.refresh_from_db()
    assert variant.price == Decimal("12.00")
    assert Product.objects.get(pk=product.pk).price_min is None  # no active variant left


def test_a_variant_edit_never_writes_back_stock_it_read_before_a_sale(api):
    variant = ProductFactory.create(variants=1, variants__stock=0).variants.get()
    call(api, "post", f"/variants/{variant.pk}/stock/", {"reason": "restock", "quantity_change": 4})
    stale = Variant.objects.get(pk=variant.pk)
    call(api, "post", f"/variants/{variant.pk}/stock/", {"reason": "restock", "quantity_change": 3})

    variant_update(variant_id=stale.pk, changes={"price": Decimal("9.00")})

    variant.refresh_from_db()
    assert (variant.price, variant.stock_on_hand) == (Decimal("9.00"), 7)
    assert_ledger_balances(variant)


def test_stock_adjustments_write_the_ledger_and_refuse_going_below_reserved(api):
    variant = ProductFactory.create(variants=1, variants__stock=0).variants.get()

    restock = call(
        api,
        "post",
        f"/variants/{variant.pk}/stock/",
        {"reason": "restock", "quantity_change": 5, "note": "Delivery", "reference": "DN-1"},
    )
    Variant.objects.filter(pk=variant.pk).update(stock_reserved=3)  # a checkout holds three
    below = call(
        api, "post", f"/variants/{variant.pk}/stock/", {"reason": "adjustment", "quantity_change": -3}
    )
    zero = call(api, "post", f"/variants/{variant.pk}/stock/", {"reason": "restock", "quantity_change": 0})
    negative_restock = call(
        api, "post", f"/variants/{variant.pk}/stock/", {"reason": "restock", "quantity_change": -1}
    )
    sale = call(api, "post", f"/variants/{variant.pk}/stock/", {"reason": "sale", "quantity_change": 1})
    count = call(
        api, "post", f"/variants/{variant.pk}/stock/", {"reason": "adjustment", "quantity_change": -2}
    )

    assert restock.status_code == 201, restock.json()
    assert restock.json()["movement"]["on_hand_after"] == 5
    assert restock.json()["movement"]["reference"] == "DN-1"
    assert restock.json()["variant"]["stock_on_hand"] == 5
    assert below.status_code == 409
    assert "may not go below zero or below what is reserved" in below.json()["detail"]
    assert zero.status_code == negative_restock.status_code == sale.status_code == 400
    assert zero.json()["errors"] == {"quantity_change": ["Enter a number other than zero."]}
    assert negative_restock.json()["errors"] == {"quantity_change": ["Only an adjustment can remove units."]}
    assert set(sale.json()["errors"]) == {"reason"}
    assert count.status_code == 201
    variant.refresh_from_db()
    assert variant.stock_on_hand == 3
    movements = api.get(f"{BASE}/variants/{variant.pk}/stock-movements/").json()["results"]
    assert [(m["reason"], m["on_hand_change"]) for m in movements] == [("adjustment", -2), ("restock", 5)]
    assert movements[0]["created_by"] is not None


# --- Analytics ------------------------------------------------------------------------------


def test_the_summary_gives_the_dashboards_figures_as_strings_with_a_comparison(api):
    sales_today()
    day = today().isoformat()

    response = api.get(f"{BASE}/analytics/summary/", {"from": day, "to": day, "compare": "previous"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["period"] == {"from": day, "to": day}
    assert body["compared_period"] is not None
    figures = {figure["key"]: figure for figure in body["figures"]}
    assert figures["orders"] == {
        "key": "orders",
        "name": "Orders",
        "value": "2",
        "compared": "0",
        "change": None,
    }
    assert figures["gross"]["value"] == "69.05"
    assert figures["units"]["value"] == "6"


def test_bad_periods_are_400_problems(api):
    backwards = api.get(f"{BASE}/analytics/summary/", {"from": "2026-02-01", "to": "2026-01-01"})
    bad = api.get(f"{BASE}/analytics/summary/", {"from": "soon", "compare": "never"})

    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {"non_field_errors": ["The first day comes after the last day."]}
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"from", "compare"}


def test_a_report_is_a_table_of_columns_and_rows(api):
    sales_today()
    day = today().isoformat()

    response = api.get(f"{BASE}/analytics/reports/daily/", {"from": day, "to": day, "compare": "none"})

    assert response.status_code == 200, response.json()
    table = response.json()
    assert table["key"] == "daily"
    assert table["columns"][:2] == ["Day", "Orders"]
    assert table["rows"] == [[day, "2", "6", "69.05", "0.00", "69.05", table["rows"][0][-1]]]


# --- The admin saves through the same services ----------------------------------------------


def test_the_variant_admin_saves_only_what_its_form_changed(staff_client):
    variant = ProductFactory.create(variants=1, variants__stock=7).variants.get()

    response = staff_client.post(
        f"/admin/catalog/variant/{variant.pk}/change/",
        {
            "sku": variant.sku,
            "barcode": "",
            "price": "5.00",
            "compare_at_price": "",
            "weight_grams": "500",
            "is_active": "on",
            "position": "0",
            "low_stock_threshold": "5",
        },
    )

    assert response.status_code == 302
    variant.refresh_from_db()
    assert (variant.price, variant.stock_on_hand) == (Decimal("5.00"), 7)
    assert Product.objects.get(pk=variant.product_id).price_min == Decimal("5.00")
