"""Who may call what: every endpoint and method of /api/v1/, read from the
URL conf (a new endpoint joins the matrix by itself, and fails it until it
says who may call it), called by

- nobody signed in: 401, unless the endpoint is public for reading or on the
  short list of what a guest may do (ANONYMOUS_MAY);
- the owner of the objects in the address, with a token of every customer
  scope: never refused for a missing scope or a 404 of their own objects;
- another customer with the same scopes: their objects are a 404;
- the owner with a token of the "read" scope only: every write is a 403
  naming the missing scope;
- staff without any permission, and a superuser whose token lacks the staff
  scopes: the staff endpoints are a 403 that says why;
- a customer on a staff endpoint: 403, "staff only".

No call answers 500.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from api.permissions import scope_required
from api.scopes import READ, SCOPES, STAFF_SCOPES
from api.tokens import access_token_create
from cart.models import Cart
from cart.services import cart_create, cart_line_add
from orders.lifecycle.fulfilment import order_mark_delivered, order_ship
from orders.lifecycle.returns import return_request
from tests.catalog.factories import CategoryFactory
from tests.factories import AddressFactory, UserFactory
from tests.notifications.notices import notice
from tests.orders.factories import stocked_variants
from tests.orders.staff_helpers import paid_order
from tests.reviews.factories import review_of
from wishlists.services import item_add, wishlist_create

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
SAFE = {"get"}
# What someone who is not signed in may do besides reading public endpoints.
ANONYMOUS_MAY = {("api/v1/cart/", "post")}  # a guest starts a cart and gets its token


# An endpoint's <pk> names an object of the collection before it.
PK_KINDS = {"addresses": "address", "reviews": "review", "wishlists": "wishlist", "notifications": "notice"}
# Kwargs that name one of the owner's objects: another customer must get a 404.
OWNED = ("str:number", "int:line_id", "int:pk", "int:item_pk")


def _endpoints() -> Iterator[tuple[str, Any]]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns, ""):
        if route.startswith("api/v1/"):
            yield route, getattr(callback, "cls", None)


ENDPOINTS = sorted(
    (route, method, view)
    for route, view in _endpoints()
    for method in METHODS
    if view is not None and hasattr(view, method)
)


@dataclass
class World:
    values: dict[str, str]
    clients: dict[str, APIClient]


def _client(user: Any = None, scopes: list[str] | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        key = access_token_create(user=user, name="matrix", scopes=scopes or []).key
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _session(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> World:
    owner = UserFactory.create(email="owner@example.com")
    other = UserFactory.create(email="other@example.com")
    staff = UserFactory.create(email="staff@example.com", is_staff=True)
    boss = UserFactory.create(email="boss@example.com", is_staff=True, is_superuser=True)
    order, _variants = paid_order(1, user=owner)
    order_ship(order_id=order.pk, by=None, carrier="table")
    order_mark_delivered(order_id=order.pk)
    line = order.lines.get()
    requested = return_request(order=order, user=owner, lines={line.pk: 1}, reason="Too small")
    variant = stocked_variants(5, title="Matrix Lamp", price=Decimal("12.00"))[0]
    category = CategoryFactory.create(name="Matrix")
    variant.product.categories.add(category)
    cart = Cart.objects.filter(user=owner).first() or cart_create(user=owner)
    cart_line = cart_line_add(cart=cart, variant_id=variant.pk, quantity=1)
    wishlist = wishlist_create(user=owner, name="Birthday")
    item = item_add(wishlist=wishlist, product=variant.product)
    customer_scopes = [scope for scope in SCOPES if scope not in STAFF_SCOPES]
    return World(
        values={
            "slug": variant.product.slug,
            "category_slug": category.slug,
            "number": order.number,
            "return_number": requested.number,
            "line_id": str(cart_line.pk),
            "product_id": str(variant.product_id),
            "variant_id": str(variant.pk),
            "key": "summary",
            "address": str(AddressFactory.create(user=owner).pk),
            "review": str(review_of(variant.product, user=owner).pk),
            "wishlist": str(wishlist.pk),
            "item_pk": str(item.pk),
            "notice": str(notice(user=owner).pk),
        },
        # In this order: the ones refused first, then the owner, whose writes change things.
        clients={
            "anonymous": _client(),
            "other": _client(other, customer_scopes),
            "narrow": _client(owner, [READ]),
            "staff_without_permission": _client(staff, list(SCOPES)),
            "superuser_without_staff_scope": _client(boss, customer_scopes),
            "owner": _client(owner, customer_scopes),
            "owner_signed_in": _session(owner),
        },
    )


def _path(route: str, values: dict[str, str]) -> str:
    """The route with the world's objects in it; a kwarg the matrix has no
    value for fails the test, so a new kind of endpoint is looked at."""
    path = "/" + route
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        name = path[start + 1 : end].split(":")[-1]
        if name == "slug" and "categories" in route:
            name = "category_slug"
        if name == "number" and "staff/returns/" in route:
            name = "return_number"
        if name == "pk":  # the person's own objects, named by the collection they are in
            name = next(kind for collection, kind in PK_KINDS.items() if f"/{collection}/" in route)
        assert name in values, f"{route}: give the access matrix a value for <{name}>"
        path = path[:start] + values[name] + path[end + 1 :]
    return path


def _call(client: APIClient, method: str, path: str) -> Any:
    if method in SAFE:
        return getattr(client, method)(path)
    return getattr(client, method)(path, {}, format="json")


@pytest.mark.parametrize(
    ("route", "method", "view"), ENDPOINTS, ids=[f"{m.upper()} {r}" for r, m, _ in ENDPOINTS]
)
def test_every_endpoint_answers_each_kind_of_caller_as_it_should(world, route, method, view):
    declared = [name for name in ("public", "scopes", "staff_permissions") if hasattr(view, name)]
    assert declared, f"{view.__name__} says neither public, scopes nor staff_permissions"
    path = _path(route, world.values)
    staff = route.startswith("api/v1/staff/")
    public_read = getattr(view, "public", False) and method in SAFE and not staff
    answers = {who: _call(client, method, path) for who, client in world.clients.items()}
    for who, response in answers.items():
        assert response.status_code < 500, f"{who}: {response.status_code} {response.content[:300]!r}"

    anonymous = answers["anonymous"].status_code
    if public_read or (route, method) in ANONYMOUS_MAY:
        assert anonymous not in (401, 403), anonymous
    else:
        assert anonymous == 401, anonymous

    owner = answers["owner"]
    if staff:
        assert owner.status_code == 403  # a customer's token cannot hold a staff scope
        assert owner.json()["code"] == "scope_missing"
        signed_in = answers["owner_signed_in"]  # the session has every scope: refused as a customer
        assert signed_in.status_code == 403
        assert signed_in.json()["code"] == "staff_only"
        refused = answers["staff_without_permission"]
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_missing"
        assert "You need the permission" in refused.json()["detail"]
        unscoped = answers["superuser_without_staff_scope"]
        assert unscoped.status_code == 403
        assert unscoped.json()["code"] == "scope_missing"
        return

    assert owner.status_code not in (401, 403, 404), (owner.status_code, owner.content[:300])
    if scope_required(view, method.upper()) != READ and not public_read:
        narrow = answers["narrow"]
        assert narrow.status_code == 403, narrow.status_code
        assert narrow.json()["code"] == "scope_missing"
    names_an_object_of_the_owner = any(f"<{kind}>" in route for kind in OWNED)
    if names_an_object_of_the_owner:
        other = answers["other"].status_code
        if method in SAFE or method == "delete":
            assert other == 404, other
        else:  # the body may be refused first; never served, never "forbidden" (that would confirm it exists)
            assert other in (400, 404), other


def test_the_matrix_sees_every_api_endpoint():
    routes = {route for route, _method, _view in ENDPOINTS}
    assert len(routes) >= 30
    assert "api/v1/staff/orders/<str:number>/refund/" in routes
    assert "api/v1/cart/lines/<int:line_id>/" in routes
    assert "api/v1/me/wishlists/<int:pk>/items/<int:item_pk>/" in routes
