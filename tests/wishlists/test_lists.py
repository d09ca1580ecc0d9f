import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cart.models import CartLine
from tests.catalog.factories import ProductFactory, VariantFactory
from tests.factories import UserFactory
from wishlists.models import Wishlist, WishlistItem

pytestmark = pytest.mark.django_db


def _heart(client, product, variant=None, next_url="/products/"):
    data = {"product": product.pk, "next": next_url}
    if variant is not None:
        data["variant"] = variant.pk
    return client.post(reverse("wishlists:toggle"), data)


def _favourites(user) -> Wishlist:
    return Wishlist.objects.get(user=user, is_default=True)


def test_the_heart_saves_and_unsaves_and_returns_to_the_page(client):
    user = UserFactory.create()
    product = ProductFactory.create(title="Desk Lamp")
    client.force_login(user)

    saved = _heart(client, product)
    assert saved.status_code == 302
    assert saved["Location"] == "/products/"
    assert list(_favourites(user).items.values_list("product__title", flat=True)) == ["Desk Lamp"]
    listing = client.get("/products/").content.decode()
    assert 'aria-pressed="true"' in listing
    assert "Remove Desk Lamp from your favourites" in listing

    _heart(client, product)
    assert not WishlistItem.objects.exists()


def test_a_guests_favourites_live_with_the_session_and_join_the_account_at_sign_in(client):
    product = ProductFactory.create(title="Desk Lamp")
    other = ProductFactory.create(title="Floor Lamp")
    user = UserFactory.create(email="ada@example.com")
    # The account has one favourite already, the guest two (one the same).
    client.force_login(user)
    _heart(client, product)
    client.logout()

    _heart(client, product)
    _heart(client, other)
    guest_page = client.get(reverse("wishlists:index"), follow=True)
    assert "Floor Lamp" in guest_page.content.decode()
    response = client.post(
        reverse("account_login"),
        {"login": "ada@example.com", "password": "correct horse battery"},
        follow=True,
    )

    assert "The item you saved is in your favourites." in response.content.decode()
    assert sorted(_favourites(user).items.values_list("product__title", flat=True)) == [
        "Desk Lamp",
        "Floor Lamp",
    ]
    assert Wishlist.objects.count() == 1


def test_a_variant_is_saved_on_its_own_from_the_product_page(client):
    user = UserFactory.create()
    product = ProductFactory.create(variants=2)
    _red, blue = product.variants.order_by("pk")
    client.force_login(user)

    _heart(client, product, blue)

    item = _favourites(user).items.get()
    assert (item.product_id, item.variant_id) == (product.pk, blue.pk)
    page = client.get(f"{product.get_absolute_url()}?variant={blue.pk}").content.decode()
    assert re.search(r'<button type="submit" class="heart is-chosen" aria-pressed="true"', page)


@pytest.mark.parametrize(
    "data",
    [
        {"product": "999999"},
        {"product": "-1"},
        {"product": "abc"},
        {},
        {"product": "PRODUCT", "variant": "999999"},
    ],
)
def test_bad_hearts_are_refused_with_a_message(client, data):
    product = ProductFactory.create()
    data = {key: (str(product.pk) if value == "PRODUCT" else value) for key, value in data.items()}

    response = client.post(reverse("wishlists:toggle"), {**data, "next": "/products/"}, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "Choose a product to save." in text
        or "This product does not exist." in text
        or "Choose a variant" in text
    )
    assert not WishlistItem.objects.exists()


def test_named_lists_rename_move_note_quantity_and_delete(client):
    user = UserFactory.create()
    lamp, rug = ProductFactory.create(title="Desk Lamp"), ProductFactory.create(title="Rug")
    client.force_login(user)
    _heart(client, lamp)
    _heart(client, rug)
    client.post(reverse("wishlists:create"), {"name": "  Birthday   ideas "})
    birthday = Wishlist.objects.get(user=user, is_default=False)
    assert birthday.name == "Birthday ideas"
    favourites = _favourites(user)
    item = favourites.items.get(product=lamp)

    client.post(reverse("wishlists:item_update", kwargs={"pk": favourites.pk, "item_pk": item.pk}),
                {"note": "For the study", "quantity": "2"})  # fmt: skip
    client.post(
        reverse("wishlists:item_move", kwargs={"pk": favourites.pk, "item_pk": item.pk}), {"to": birthday.pk}
    )
    client.post(reverse("wishlists:rename", kwargs={"pk": birthday.pk}), {"name": "Gifts"})

    item.refresh_from_db()
    assert (item.wishlist_id, item.note, item.quantity) == (birthday.pk, "For the study", 2)
    assert Wishlist.objects.get(pk=birthday.pk).name == "Gifts"
    client.post(reverse("wishlists:delete", kwargs={"pk": birthday.pk}))
    assert not Wishlist.objects.filter(pk=birthday.pk).exists()
    assert list(favourites.items.values_list("product__title", flat=True)) == ["Rug"]


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("create", {"name": "x" * 10_000}, "Ensure this value has at most 80 characters"),
        ("create", {"name": "   "}, "This field is required"),
        ("item_update", {"note": "", "quantity": "-1"}, "Ensure this value is greater than or equal to 1"),
        ("item_update", {"note": "", "quantity": "500"}, "less than or equal to 99"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, url_name, data, message):
    user = UserFactory.create()
    client.force_login(user)
    _heart(client, ProductFactory.create())
    favourites = _favourites(user)
    item = favourites.items.get()
    kwargs = {"pk": favourites.pk, "item_pk": item.pk} if url_name == "item_update" else {}

    response = client.post(reverse(f"wishlists:{url_name}", kwargs=kwargs), data, follow=True)

    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.quantity == 1
    assert Wishlist.objects.filter(user=user).count() == 1


def test_another_persons_list_and_items_are_404(client):
    owner, other = UserFactory.create(), UserFactory.create()
    client.force_login(owner)
    _heart(client, ProductFactory.create())
    favourites = _favourites(owner)
    item = favourites.items.get()
    client.force_login(other)

    assert client.get(favourites.get_absolute_url()).status_code == 404
    for name in ("item_remove", "item_to_cart", "item_update"):
        url = reverse(f"wishlists:{name}", kwargs={"pk": favourites.pk, "item_pk": item.pk})
        assert client.post(url, {"quantity": "1"}).status_code == 404
    assert client.post(reverse("wishlists:share", kwargs={"pk": favourites.pk})).status_code == 404
    assert WishlistItem.objects.count() == 1


def test_a_shared_link_shows_the_list_read_only_until_revoked(client):
    owner = UserFactory.create(first_name="Grace")
    client.force_login(owner)
    _heart(client, ProductFactory.create(title="Desk Lamp"))
    favourites = _favourites(owner)
    client.post(reverse("wishlists:share", kwargs={"pk": favourites.pk}))
    favourites.refresh_from_db()
    token = favourites.share_token
    assert token
    assert len(token) >= 32
    client.logout()

    shared = client.get(reverse("wishlists:shared", kwargs={"token": token}))
    added = client.post(
        reverse("wishlists:shared_to_cart", kwargs={"token": token, "item_pk": favourites.items.get().pk}),
        follow=True,
    )

    assert shared.status_code == 200
    assert shared["X-Robots-Tag"] == "noindex, nofollow"
    assert "A list by Grace" in shared.content.decode()
    assert "Desk Lamp" in shared.content.decode()
    assert "Remove" not in shared.content.decode()
    assert "Desk Lamp is in your cart." in added.content.decode()
    assert favourites.items.count() == 1  # the owner's list is unchanged
    assert client.get(reverse("wishlists:shared", kwargs={"token": token + "x"})).status_code == 404

    client.force_login(owner)
    client.post(reverse("wishlists:unshare", kwargs={"pk": favourites.pk}))
    client.logout()
    assert client.get(reverse("wishlists:shared", kwargs={"token": token})).status_code == 404


def test_move_all_to_cart_says_what_could_not_go(client):
    user = UserFactory.create()
    client.force_login(user)
    lamp = ProductFactory.create(title="Desk Lamp")
    sold_out = ProductFactory.create(title="Rare Vase", variants__stock=0)
    shirt = ProductFactory.create(title="Shirt", variants=2)
    gone = ProductFactory.create(title="Old Clock")
    for product in (lamp, sold_out, shirt, gone):
        _heart(client, product)
    gone.is_active = False
    gone.save()

    response = client.post(reverse("wishlists:to_cart", kwargs={"pk": _favourites(user).pk}), follow=True)

    text = response.content.decode()
    assert "Desk Lamp is in your cart." in text
    assert "Rare Vase" in text
    assert "out of stock" in text
    assert "Shirt: choose a size or colour on its page first." in text
    assert "Old Clock is no longer available." in text
    assert list(CartLine.objects.values_list("variant__product__title", flat=True)) == ["Desk Lamp"]
    assert sorted(_favourites(user).items.values_list("product__title", flat=True)) == [
        "Old Clock",
        "Rare Vase",
        "Shirt",
    ]


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_page_runs_the_same_queries_for_1_or_12_items(client, django_assert_max_num_queries, count):
    user = UserFactory.create()
    client.force_login(user)
    for n in range(count):
        product = ProductFactory.create(title=f"Lamp {n}", variants=2)
        VariantFactory.create(product=product, price=Decimal("5.00"))
        _heart(client, product, product.variants.first() if n % 2 else None)
    client.get(_favourites(user).get_absolute_url())

    with django_assert_max_num_queries(12):
        response = client.get(_favourites(user).get_absolute_url() + "?sort=price")

    assert response.content.decode().count('class="wishlist-item"') == count


def test_the_data_export_holds_the_lists_and_deletion_erases_them(client):
    from orders.privacy import account_delete, personal_data_export

    user = UserFactory.create()
    client.force_login(user)
    _heart(client, ProductFactory.create(title="Desk Lamp"))

    exported = personal_data_export(user=user)["wishlists"]["lists"]
    account_delete(user=user)

    assert [(w["name"], [i["product"] for i in w["items"]]) for w in exported] == [
        ("Favourites", ["Desk Lamp"])
    ]
    assert not Wishlist.objects.exists()


def test_staff_see_lists_in_the_admin_read_only(staff_client):
    user = UserFactory.create(email="grace@example.com")
    from wishlists.services import favourites_get_or_create, item_add

    favourites = favourites_get_or_create(user=user)
    item_add(wishlist=favourites, product=ProductFactory.create(title="Desk Lamp"))

    changelist = staff_client.get("/admin/wishlists/wishlist/")
    page = staff_client.get(f"/admin/wishlists/wishlist/{favourites.pk}/change/")

    assert "grace@example.com" in changelist.content.decode()
    assert "Desk Lamp" in page.content.decode()
    assert staff_client.get("/admin/wishlists/wishlist/add/").status_code == 403


def test_guests_favourites_untouched_for_60_days_are_purged():
    from datetime import timedelta

    from django.utils import timezone

    from wishlists.services import favourites_get_or_create, wishlists_guests_purge

    old, recent = favourites_get_or_create(user=None), favourites_get_or_create(user=None)
    kept = favourites_get_or_create(user=UserFactory.create())
    Wishlist.objects.filter(pk__in=[old.pk, kept.pk]).update(updated_at=timezone.now() - timedelta(days=61))

    assert wishlists_guests_purge() == 1
    assert set(Wishlist.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
