"""Wishlists' alerts (wishlists/alerts.py): back in stock, told first come
first as units come back, and price drops, once per fall; all through the
notifications outbox, as each person's preferences allow."""

import time
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, StockMovement, Variant
from catalog.services import product_listing_refresh
from catalog.stock import stock_adjust, stock_reserve
from notifications import preferences
from notifications.kinds import Group
from notifications.models import Notification
from notifications.tokens import BadToken, TokenExpired
from promotions.services import promotion_sale_prices_refresh
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory
from tests.promotions.factories import PromotionFactory
from wishlists.alerts import (
    BACK_IN_STOCK,
    CONFIRM,
    CONFIRM_SALT,
    PRICE_DROP,
    StockAlertRefused,
    Subscribed,
    price_drops_alert,
    stock_alert_confirm,
    stock_alert_confirm_token,
    stock_alert_subscribe,
    stock_alerts_send,
)
from wishlists.models import StockAlert, StockWatch, Wishlist, WishlistItem

pytestmark = pytest.mark.django_db

Reason = StockMovement.Reason


def _sold_out(**product: object) -> Variant:
    return ProductFactory.create(variants__stock=0, **product).variants.get()


def _restock(variant: Variant, units: int) -> None:
    stock_adjust(variant=variant, quantity_change=units, reason=Reason.RESTOCK, note="Delivery")


def _waiting(variant: Variant, count: int) -> list[StockAlert]:
    """``count`` people with accounts waiting, in this order."""
    alerts = []
    for _n in range(count):
        user = UserFactory.create()
        alerts.append(stock_alert_subscribe(variant=variant, user=user).alert)
    return alerts


def _told(variant: Variant) -> list[str]:
    """Who was told about ``variant``, in the order they asked."""
    told = StockAlert.objects.filter(variant=variant, notified_at__isnull=False)
    return [alert.email for alert in told.order_by("created_at", "pk")]


def _back_in_stock_keys() -> list[str]:
    return sorted(Notification.objects.filter(kind=BACK_IN_STOCK).values_list("key", flat=True))


# --- Subscribing --------------------------------------------------------------------------


def test_an_account_with_a_verified_address_waits_at_once():
    variant = _sold_out()
    user = UserFactory.create(email="ada@example.com")

    subscription = stock_alert_subscribe(variant=variant, user=user)

    assert subscription.outcome == Subscribed.CONFIRMED
    alert = subscription.alert
    assert (alert.user_id, alert.email, alert.notified_at) == (user.pk, "ada@example.com", None)
    assert alert.confirmed_at is not None
    assert not Notification.objects.exists()  # no confirmation email to a verified address


def test_subscribing_twice_keeps_one_alert_and_its_place():
    variant = _sold_out()
    user = UserFactory.create()

    first = stock_alert_subscribe(variant=variant, user=user).alert
    again = stock_alert_subscribe(variant=variant, user=user).alert

    assert again.pk == first.pk
    assert again.created_at == first.created_at
    assert StockAlert.objects.count() == 1


def test_a_guest_is_asked_to_confirm_once_a_day_and_waits_only_once_confirmed():
    variant = _sold_out(title="Linen shirt")

    subscription = stock_alert_subscribe(variant=variant, email=" Guest@Example.com ")
    stock_alert_subscribe(variant=variant, email="guest@example.com")  # asked again today

    alert = subscription.alert
    assert subscription.outcome == Subscribed.CONFIRMATION_SENT
    assert (alert.email, alert.user_id, alert.confirmed_at) == ("guest@example.com", None, None)
    confirmation = Notification.objects.get(kind=CONFIRM)
    assert confirmation.email == "guest@example.com"
    assert confirmation.subject == "[Shop] Please confirm your alert for Linen shirt"
    assert "/wishlists/alerts/confirm/" in confirmation.text
    assert confirmation.headers == {}  # asked for, always sent: no unsubscribe

    _restock(variant, 3)
    assert stock_alerts_send() == 0  # unconfirmed: nothing

    stock_alert_confirm(token=stock_alert_confirm_token(alert=alert))
    stock_alert_confirm(token=stock_alert_confirm_token(alert=alert))  # followed twice
    sent = stock_alerts_send()

    assert sent == 1
    assert _told(variant) == ["guest@example.com"]
    notification = Notification.objects.get(kind=BACK_IN_STOCK)
    assert (notification.email, notification.user_id, notification.title) == ("guest@example.com", None, "")


def test_an_account_whose_address_is_not_verified_confirms_by_email_too():
    variant = _sold_out()
    user = UserFactory.create(email="new@example.com", verified=False)

    subscription = stock_alert_subscribe(variant=variant, user=user)

    assert subscription.outcome == Subscribed.CONFIRMATION_SENT
    assert Notification.objects.get(kind=CONFIRM).email == "new@example.com"


def test_a_guest_who_signs_up_later_keeps_their_place_and_is_confirmed():
    variant = _sold_out()
    guest = stock_alert_subscribe(variant=variant, email="ada@example.com").alert
    user = UserFactory.create(email="ada@example.com")

    account = stock_alert_subscribe(variant=variant, user=user)

    assert account.outcome == Subscribed.CONFIRMED
    assert account.alert.pk == guest.pk
    assert account.alert.user_id == user.pk


def test_a_variant_in_stock_or_no_longer_sold_is_refused_with_the_reason():
    in_stock = ProductFactory.create(title="Mug", variants__stock=4).variants.get()
    withdrawn = _sold_out(title="Old shirt")
    Product.objects.filter(pk=withdrawn.product_id).update(is_active=False)

    with pytest.raises(StockAlertRefused, match="Mug is in stock: you can add it to your cart now"):
        stock_alert_subscribe(variant=in_stock, email="ada@example.com")
    with pytest.raises(StockAlertRefused, match="Old shirt is not sold any more"):
        stock_alert_subscribe(variant=withdrawn, email="ada@example.com")
    assert not StockAlert.objects.exists()


def test_units_all_reserved_count_as_sold_out():
    variant = ProductFactory.create(variants__stock=2).variants.get()
    stock_reserve(lines=[(variant.pk, 2)], reference="CHK-1")

    subscription = stock_alert_subscribe(variant=variant, email="ada@example.com")

    assert subscription.outcome == Subscribed.CONFIRMATION_SENT


class _SignedLongAgo(signing.TimestampSigner):
    """Signs as if eight days ago: one day past the link's seven."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)


def test_a_tampered_expired_or_orphaned_link_is_refused():
    variant = _sold_out()
    alert = stock_alert_subscribe(variant=variant, email="ada@example.com").alert
    token = stock_alert_confirm_token(alert=alert)
    expired = _SignedLongAgo(salt=CONFIRM_SALT).sign_object({"a": alert.pk, "e": alert.email}, compress=True)
    other_salt = signing.dumps({"a": alert.pk, "e": alert.email}, salt="notifications.marketing-confirm")

    with pytest.raises(BadToken):
        stock_alert_confirm(token=token[:-2] + "xx")
    with pytest.raises(BadToken):  # another link of the shop's is no confirmation of this
        stock_alert_confirm(token=other_salt)
    with pytest.raises(TokenExpired):
        stock_alert_confirm(token=expired)
    alert.refresh_from_db()
    assert alert.confirmed_at is None
    alert.delete()
    with pytest.raises(BadToken):
        stock_alert_confirm(token=token)


# --- Back in stock: telling ---------------------------------------------------------------


def test_the_first_to_ask_are_told_first_as_many_as_twice_the_units(settings):
    settings.WISHLIST_STOCK_ALERT_FACTOR = 2
    variant = _sold_out()
    alerts = _waiting(variant, 7)

    _restock(variant, 2)
    sent = stock_alerts_send()

    assert sent == 4
    assert _told(variant) == [alert.email for alert in alerts[:4]]
    assert StockWatch.objects.get(variant=variant).available_seen == 2


def test_the_rest_are_told_when_more_stock_comes_and_a_quiet_minute_tells_nobody(settings):
    settings.WISHLIST_STOCK_ALERT_FACTOR = 2
    variant = _sold_out()
    alerts = _waiting(variant, 7)
    _restock(variant, 1)
    assert stock_alerts_send() == 2

    assert stock_alerts_send() == 0  # nothing came back since
    _restock(variant, 1)
    assert stock_alerts_send() == 2
    _restock(variant, 5)
    assert stock_alerts_send() == 3  # the last three; the other places stay unused

    assert _told(variant) == [alert.email for alert in alerts]
    assert _back_in_stock_keys() == sorted(str(alert.pk) for alert in alerts)


def test_units_sold_again_lower_the_baseline_so_the_next_delivery_counts_in_full(settings):
    settings.WISHLIST_STOCK_ALERT_FACTOR = 1
    variant = _sold_out()
    _waiting(variant, 5)
    _restock(variant, 2)
    assert stock_alerts_send() == 2

    stock_reserve(lines=[(variant.pk, 2)], reference="CHK-1")  # sold out again
    assert stock_alerts_send() == 0
    assert StockWatch.objects.get(variant=variant).available_seen == 0
    _restock(variant, 2)

    assert stock_alerts_send() == 2


def test_an_inactive_variant_keeps_its_people_waiting_until_it_is_sold_again(settings):
    settings.WISHLIST_STOCK_ALERT_FACTOR = 1
    variant = _sold_out()
    _waiting(variant, 2)
    Variant.objects.filter(pk=variant.pk).update(is_active=False)
    _restock(variant, 5)

    assert stock_alerts_send() == 0
    assert StockAlert.objects.filter(notified_at__isnull=True).count() == 2

    Variant.objects.filter(pk=variant.pk).update(is_active=True)
    assert stock_alerts_send() == 2


def test_an_account_gets_an_email_and_a_notice_linking_to_the_variant():
    variant = _sold_out(title="Linen shirt")
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("29.95"))
    user = UserFactory.create(email="ada@example.com")
    alert = stock_alert_subscribe(variant=variant, user=user).alert
    _restock(variant, 1)

    stock_alerts_send()

    notification = Notification.objects.get(kind=BACK_IN_STOCK, key=str(alert.pk))
    path = f"/products/{variant.product.slug}/?variant={variant.pk}"
    assert (notification.email, notification.user_id) == ("ada@example.com", user.pk)
    assert notification.subject == "[Shop] Linen shirt is back in stock"
    assert notification.title == "Linen shirt is back in stock"
    assert notification.link == path
    assert f"http://127.0.0.1:8000{path}" in notification.text
    assert "EUR 29.95" in notification.text
    # An optional email: the one-click unsubscribe of RFC 8058, in the headers and the footer.
    assert notification.headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/notifications/")
    assert notification.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Unsubscribe: http://127.0.0.1:8000/notifications/" in notification.text


def test_the_email_is_sent_once_after_commit_with_its_unsubscribe_header(django_capture_on_commit_callbacks):
    variant = _sold_out()
    stock_alert_subscribe(variant=variant, user=UserFactory.create(email="ada@example.com"))
    _restock(variant, 1)

    with django_capture_on_commit_callbacks(execute=True):
        stock_alerts_send()
    with django_capture_on_commit_callbacks(execute=True):
        stock_alerts_send()

    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_someone_who_switched_wishlist_alerts_off_gets_nothing_and_takes_no_place(settings):
    settings.WISHLIST_STOCK_ALERT_FACTOR = 1
    variant = _sold_out()
    quiet, other = _waiting(variant, 2)
    preferences.email_preference_set(email=quiet.email, group="wishlist", enabled=False, source="test")
    assert quiet.user is not None
    preferences.site_preference_set(user=quiet.user, group=Group.WISHLIST, enabled=False, source="test")
    _restock(variant, 1)

    sent = stock_alerts_send()

    assert sent == 1
    assert list(Notification.objects.filter(kind=BACK_IN_STOCK).values_list("email", flat=True)) == [
        other.email
    ]
    assert StockAlert.objects.filter(notified_at__isnull=True).count() == 0  # the quiet one is closed


def test_a_guest_who_unsubscribed_gets_no_email():
    variant = _sold_out()
    alert = stock_alert_subscribe(variant=variant, email="ada@example.com").alert
    stock_alert_confirm(token=stock_alert_confirm_token(alert=alert))
    preferences.email_unsubscribe(email="ada@example.com", group=Group.WISHLIST)
    _restock(variant, 1)

    assert stock_alerts_send() == 0
    assert not Notification.objects.filter(kind=BACK_IN_STOCK).exists()


def test_once_told_a_person_may_wait_again():
    variant = _sold_out()
    user = UserFactory.create()
    first = stock_alert_subscribe(variant=variant, user=user).alert
    _restock(variant, 1)
    stock_alerts_send()
    stock_reserve(lines=[(variant.pk, 1)], reference="CHK-1")

    again = stock_alert_subscribe(variant=variant, user=user).alert

    assert again.pk != first.pk
    assert again.notified_at is None


def test_a_sweep_looks_at_a_variant_only_when_its_units_changed(django_assert_max_num_queries):
    variants = [_sold_out() for _ in range(3)]
    for variant in variants:
        _waiting(variant, 1)

    with django_assert_max_num_queries(1):
        assert stock_alerts_send() == 0


# --- Price drops ----------------------------------------------------------------------------


def _wished(
    variant: Variant | None = None, *, product: Product | None = None, email: str = ""
) -> WishlistItem:
    user = UserFactory.create(**({"email": email} if email else {}))
    wishlist = Wishlist.objects.create(user=user, name="Favourites", is_default=True)
    product = product or (variant.product if variant else None)
    assert product is not None
    return WishlistItem.objects.create(wishlist=wishlist, product=product, variant=variant)


def _price(variant: Variant, price: str) -> None:
    Variant.objects.filter(pk=variant.pk).update(price=Decimal(price))
    product_listing_refresh(product_ids=[variant.product_id])


def test_a_fall_of_the_set_percentage_alerts_once_not_on_every_run(settings):
    settings.WISHLIST_PRICE_DROP_PERCENT = 10
    variant = ProductFactory.create(title="Linen shirt", variants__price=Decimal("40.00")).variants.get()
    item = _wished(variant, email="ada@example.com")

    assert price_drops_alert() == 0  # the first look sets the baseline
    item.refresh_from_db()
    assert item.price_seen == Decimal("40.00")

    _price(variant, "36.01")  # less than 10 % off
    assert price_drops_alert() == 0
    _price(variant, "36.00")  # 10 % off
    assert price_drops_alert() == 1
    assert price_drops_alert() == 0  # the next beat: the same fall, nothing more

    notification = Notification.objects.get(kind=PRICE_DROP)
    assert notification.key == f"{item.pk}:36.00"
    assert (notification.email, notification.user_id) == ("ada@example.com", item.wishlist.user_id)
    assert notification.subject == "[Shop] Linen shirt is cheaper now"
    assert "EUR 36.00 now instead of EUR 40.00 (10 % less)" in notification.text
    assert notification.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    item.refresh_from_db()
    assert item.price_seen == Decimal("36.00")


def test_small_falls_add_up_and_a_rise_raises_the_baseline(settings):
    settings.WISHLIST_PRICE_DROP_PERCENT = 10
    variant = ProductFactory.create(variants__price=Decimal("100.00")).variants.get()
    item = _wished(variant)
    price_drops_alert()

    _price(variant, "95.00")
    assert price_drops_alert() == 0
    _price(variant, "90.00")  # 10 % below the baseline of 100, in two steps
    assert price_drops_alert() == 1
    _price(variant, "120.00")
    assert price_drops_alert() == 0
    item.refresh_from_db()
    assert item.price_seen == Decimal("120.00")
    _price(variant, "100.00")  # 16 % below the new high
    assert price_drops_alert() == 1

    assert sorted(Notification.objects.filter(kind=PRICE_DROP).values_list("key", flat=True)) == [
        f"{item.pk}:100.00",
        f"{item.pk}:90.00",
    ]


def test_a_promotion_that_starts_is_a_price_drop():
    product = ProductFactory.create(variants=2, variants__price=Decimal("50.00"))
    variant = product.variants.order_by("pk").first()
    assert variant is not None
    of_variant = _wished(variant)
    of_product = _wished(product=product)
    price_drops_alert()

    PromotionFactory.create(value=Decimal(20), products=[product])
    promotion_sale_prices_refresh()
    alerted = price_drops_alert()

    assert alerted == 2
    assert sorted(Notification.objects.filter(kind=PRICE_DROP).values_list("key", flat=True)) == sorted(
        [f"{of_variant.pk}:40.00", f"{of_product.pk}:40.00"]
    )


def test_a_guests_list_and_a_product_not_sold_are_left_alone():
    variant = ProductFactory.create(variants__price=Decimal("50.00")).variants.get()
    guest_list = Wishlist.objects.create(user=None, name="Favourites", is_default=True)
    guest_item = WishlistItem.objects.create(
        wishlist=guest_list, product=variant.product, variant=variant, price_seen=Decimal("80.00")
    )
    withdrawn = _wished(variant)
    WishlistItem.objects.filter(pk=withdrawn.pk).update(price_seen=Decimal("80.00"))
    Variant.objects.filter(pk=variant.pk).update(is_active=False)

    assert price_drops_alert() == 0
    guest_item.refresh_from_db()
    withdrawn.refresh_from_db()
    assert guest_item.price_seen == withdrawn.price_seen == Decimal("80.00")


def test_someone_who_switched_wishlist_alerts_off_hears_of_no_price_drop():
    variant = ProductFactory.create(variants__price=Decimal("50.00")).variants.get()
    item = _wished(variant, email="quiet@example.com")
    price_drops_alert()
    user = item.wishlist.user
    assert user is not None
    preferences.email_preference_set(
        email="quiet@example.com", group="wishlist", enabled=False, source="test"
    )
    preferences.site_preference_set(user=user, group=Group.WISHLIST, enabled=False, source="test")
    _price(variant, "25.00")

    price_drops_alert()

    assert not Notification.objects.filter(kind=PRICE_DROP).exists()
    item.refresh_from_db()
    assert item.price_seen == Decimal("25.00")  # the fall is past: no alert for it later either


def test_price_drops_cost_the_same_queries_for_few_and_many_items(django_assert_num_queries):
    variants = list(ProductFactory.create(variants=30, variants__price=Decimal("10.00")).variants.all())
    for variant in variants:
        _wished(variant)
    price_drops_alert(batch_size=100)  # baselines set
    Variant.objects.filter(pk=variants[0].pk).update(price=Decimal("12.00"))  # a rise, no alert

    # The batch, its option values, one bulk update of the baselines in a
    # transaction (a savepoint in a test), the empty next batch.
    with CaptureQueriesContext(connection) as captured:
        price_drops_alert(batch_size=100)
    few = len(captured)
    assert few == 6
    for variant in variants:
        _wished(variant)
    price_drops_alert(batch_size=100)
    Variant.objects.filter(pk=variants[0].pk).update(price=Decimal("13.00"))
    with django_assert_num_queries(few, exact=True):
        price_drops_alert(batch_size=100)
