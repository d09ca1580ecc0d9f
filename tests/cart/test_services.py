"""The cart's verbs, the merge at login and the purge of old guest carts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from cart.models import Cart, CartLine
from cart.services import (
    CartError,
    cart_empty,
    cart_erase,
    cart_export,
    cart_guests_purge,
    cart_line_add,
    cart_line_remove,
    cart_line_update,
    cart_merge,
    cart_promo_remove,
    cart_prune,
)
from cart.tasks import cart_guests_purge_task
from catalog.models import Variant
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def variant(stock: int = 10, price: str = "10.00") -> Variant:
    return ProductFactory.create(variants=1, variants__price=D(price), variants__stock=stock).variants.get()


def test_adding_twice_adds_up_on_one_line_at_the_price_of_the_day() -> None:
    cart, item = Cart.objects.create(), variant()
    cart_line_add(cart=cart, variant_id=item.pk, quantity=2)
    line = cart_line_add(cart=cart, variant_id=item.pk, quantity=3)
    assert (cart.lines.count(), line.quantity, line.price_when_added) == (1, 5, D("10.00"))
    assert line.title == item.product.title


def test_a_line_is_titled_with_its_options() -> None:
    product = ProductFactory.create(variants=0)
    colour = product.options.create(name="Colour", position=0)
    size = product.options.create(name="Size", position=1)
    item = Variant.objects.create(product=product, sku="TEE-R-M", price=D("9.00"))
    item.option_values.add(size.values.create(value="M"), colour.values.create(value="Red"))
    from catalog.stock import stock_adjust

    stock_adjust(variant=item, quantity_change=3, reason="restock", note="")
    line = cart_line_add(cart=Cart.objects.create(), variant_id=item.pk, quantity=1)
    assert line.title == f"{product.title} (Red / M)"


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "The quantity must be at least 1."),
        (-1, "The quantity must be at least 1."),
        (21, "You can buy at most 20 of one item per order."),
        (11, "Only 10 of"),
    ],
)
def test_quantities_out_of_bounds_are_refused_and_change_nothing(quantity: int, message: str) -> None:
    cart, item = Cart.objects.create(), variant(stock=10)
    with pytest.raises(CartError) as refused:
        cart_line_add(cart=cart, variant_id=item.pk, quantity=quantity)
    assert message in refused.value.message
    assert not cart.lines.exists()


def test_what_is_already_in_the_cart_counts_against_stock_and_the_maximum(settings: Settings) -> None:
    settings.CART_MAX_QUANTITY = 5
    cart, item = Cart.objects.create(), variant(stock=4)
    cart_line_add(cart=cart, variant_id=item.pk, quantity=3)
    with pytest.raises(CartError) as refused:
        cart_line_add(cart=cart, variant_id=item.pk, quantity=2)
    assert refused.value.message.endswith("are in stock and you have 3 in your cart.")
    with pytest.raises(CartError, match="at most 5 of one item per order"):
        cart_line_update(cart=cart, line_id=cart.lines.get().pk, quantity=6)
    assert cart.lines.get().quantity == 3


def test_unknown_inactive_and_sold_out_variants_cannot_be_added() -> None:
    cart = Cart.objects.create()
    with pytest.raises(CartError, match="does not exist"):
        cart_line_add(cart=cart, variant_id=999_999, quantity=1)
    hidden = variant()
    Variant.objects.filter(pk=hidden.pk).update(is_active=False)
    with pytest.raises(CartError, match="no longer available"):
        cart_line_add(cart=cart, variant_id=hidden.pk, quantity=1)
    with pytest.raises(CartError, match="out of stock"):
        cart_line_add(cart=cart, variant_id=variant(stock=0).pk, quantity=1)
    assert not cart.lines.exists()


def test_another_carts_line_cannot_be_changed_or_removed() -> None:
    mine, theirs = Cart.objects.create(), Cart.objects.create()
    line = cart_line_add(cart=theirs, variant_id=variant().pk, quantity=1)
    with pytest.raises(CartLine.DoesNotExist):
        cart_line_update(cart=mine, line_id=line.pk, quantity=2)
    with pytest.raises(CartLine.DoesNotExist):
        cart_line_remove(cart=mine, line_id=line.pk)
    line.refresh_from_db()
    assert line.quantity == 1


def test_updating_a_line_accepts_its_new_price() -> None:
    cart, item = Cart.objects.create(), variant(price="10.00")
    line = cart_line_add(cart=cart, variant_id=item.pk, quantity=1)
    Variant.objects.filter(pk=item.pk).update(price=D("12.00"))
    line = cart_line_update(cart=cart, line_id=line.pk, quantity=2)
    assert (line.quantity, line.price_when_added) == (2, D("12.00"))


def test_remove_and_empty() -> None:
    cart = Cart.objects.create(promo_codes=["TEN"])
    first = cart_line_add(cart=cart, variant_id=variant().pk, quantity=1)
    cart_line_add(cart=cart, variant_id=variant().pk, quantity=1)
    assert cart_line_remove(cart=cart, line_id=first.pk) == first.title
    assert cart.lines.count() == 1
    cart_empty(cart=cart)
    cart.refresh_from_db()
    assert (cart.lines.count(), cart.promo_codes) == (0, [])


def test_removing_a_code_that_is_not_applied_says_so() -> None:
    cart = Cart.objects.create(promo_codes=["TEN"])
    with pytest.raises(CartError, match="is not applied"):
        cart_promo_remove(cart=cart, code="FIVE")
    cart_promo_remove(cart=cart, code=" ten ")
    cart.refresh_from_db()
    assert cart.promo_codes == []


def test_deleted_and_deactivated_variants_drop_out_with_their_titles() -> None:
    cart = Cart.objects.create()
    kept, deleted, hidden, hidden_product = variant(), variant(), variant(), variant()
    for item in (kept, deleted, hidden, hidden_product):
        cart_line_add(cart=cart, variant_id=item.pk, quantity=1)
    titles = {item.pk: item.product.title for item in (deleted, hidden, hidden_product)}
    Variant.objects.filter(pk=hidden.pk).update(is_active=False)
    hidden_product.product.__class__.objects.filter(pk=hidden_product.product_id).update(is_active=False)
    CartLine.objects.filter(variant=deleted).update(variant=None)  # as SET_NULL leaves it

    assert sorted(cart_prune(cart=cart)) == sorted(titles.values())
    assert list(cart.lines.values_list("variant", flat=True)) == [kept.pk]
    assert cart_prune(cart=cart) == []


# --- Merge at login -------------------------------------------------------------


def test_merge_adds_quantities_caps_them_by_stock_and_moves_new_lines() -> None:
    shared, only_guest, scarce = variant(stock=10), variant(stock=10), variant(stock=3)
    user_cart, guest = (
        Cart.objects.create(user=UserFactory.create()),
        Cart.objects.create(promo_codes=["TEN"]),
    )
    cart_line_add(cart=user_cart, variant_id=shared.pk, quantity=2)
    cart_line_add(cart=user_cart, variant_id=scarce.pk, quantity=2)
    cart_line_add(cart=guest, variant_id=shared.pk, quantity=3)
    cart_line_add(cart=guest, variant_id=only_guest.pk, quantity=1)
    cart_line_add(cart=guest, variant_id=scarce.pk, quantity=2)

    result = cart_merge(source=guest, target=user_cart)

    quantities = dict(user_cart.lines.values_list("variant", "quantity"))
    assert quantities == {shared.pk: 5, only_guest.pk: 1, scarce.pk: 3}
    assert result.added == 5
    assert result.notes == (
        f"Only 1 more of {scarce.product.title} could be added (stock or per-order limit).",
    )
    assert not Cart.objects.filter(pk=guest.pk).exists()
    user_cart.refresh_from_db()
    assert user_cart.promo_codes == ["TEN"]


def test_merge_respects_the_per_order_maximum_and_skips_lines_gone_meanwhile(settings: Settings) -> None:
    settings.CART_MAX_QUANTITY = 4
    item, gone = variant(stock=50), variant()
    user_cart, guest = Cart.objects.create(user=UserFactory.create()), Cart.objects.create()
    cart_line_add(cart=user_cart, variant_id=item.pk, quantity=4)
    cart_line_add(cart=guest, variant_id=item.pk, quantity=2)
    cart_line_add(cart=guest, variant_id=gone.pk, quantity=1)
    Variant.objects.filter(pk=gone.pk).update(is_active=False)

    result = cart_merge(source=guest, target=user_cart)

    assert user_cart.lines.get().quantity == 4
    assert result.added == 0
    assert result.notes == (
        f"Only 0 more of {item.product.title} could be added (stock or per-order limit).",
        f"{gone.product.title} is no longer available.",
    )


# --- Purge ------------------------------------------------------------------------


def test_old_guest_carts_are_purged_and_users_carts_kept(settings: Settings) -> None:
    settings.CART_GUEST_MAX_AGE_DAYS = 30
    old_guest, fresh_guest = Cart.objects.create(), Cart.objects.create()
    old_user = Cart.objects.create(user=UserFactory.create())
    cart_line_add(cart=old_guest, variant_id=variant().pk, quantity=1)
    long_ago = timezone.now() - timedelta(days=31)
    Cart.objects.filter(pk__in=[old_guest.pk, old_user.pk]).update(updated_at=long_ago)

    assert cart_guests_purge_task.delay().get() == 1

    assert set(Cart.objects.values_list("pk", flat=True)) == {fresh_guest.pk, old_user.pk}
    assert cart_guests_purge(older_than=timedelta(0)) == 1  # the fresh one, with a zero age


def test_the_cart_is_in_the_data_export_and_goes_with_the_account() -> None:
    user = UserFactory.create()
    cart = Cart.objects.create(user=user)
    line = cart_line_add(cart=cart, variant_id=variant(price="7.50").pk, quantity=2)
    assert cart_export(user) == [{"item": line.title, "quantity": 2, "price_when_added": "7.50"}]
    cart_erase(user)
    assert not Cart.objects.filter(pk=cart.pk).exists()
