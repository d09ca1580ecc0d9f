"""The alerts that bring a shopper back: a sold-out variant in stock again,
a wished item cheaper. Every message is owed through the one outbox
(``notifications.services.notification_queue``) in the transaction that
decides it, so it is sent once, after commit, as the person's preferences
allow and with the one-click unsubscribe.

Back in stock. ``stock_alert_subscribe`` records a person waiting for a
sold-out variant: an account with a verified address at once, a guest's
address once it followed the link of a confirmation email. Stock comes back
on many paths of the catalog (a staff adjustment, an import, a return put
back on the shelf, a reservation that expired), and the catalog does not
know wishlists, so ``stock_alerts_send`` (beat, every minute) looks: under
the lock of the variant's ``StockWatch`` it compares the units available now
with those it saw last time; the units that came back, times
``WISHLIST_STOCK_ALERT_FACTOR``, is how many of the waiting people it tells,
first come first told; the others wait for more stock. A variant that is not
sold (it or its product inactive) has no units available: its alerts wait.

Price drops. ``price_drops_alert`` (beat, hourly) compares the price of each
item of a person's list (a promotion's sale price when one runs) with the
item's ``price_seen``: a fall of at least ``WISHLIST_PRICE_DROP_PERCENT``
owes one alert and becomes the new baseline; a rise becomes the baseline at
once, so the next fall is measured from the new high.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_verified_emails
from catalog.models import Product, Variant
from notifications import preferences
from notifications.models import Notification
from notifications.services import notification_queue
from notifications.tokens import BadToken, TokenExpired
from shop.money import format_money
from shop.sites import shop_url
from wishlists.locks import stock_watches_lock
from wishlists.models import StockAlert, StockWatch, WishlistItem

BACK_IN_STOCK = "wishlist.back_in_stock"
PRICE_DROP = "wishlist.price_drop"
CONFIRM = "wishlist.stock_alert_confirm"

CONFIRM_SALT = "wishlists.stock-alert-confirm"
# How long a guest's confirmation link works (the email says so).
CONFIRM_MAX_AGE = timedelta(days=7)
# Wishlist items read (and their baselines written) per transaction.
PRICE_BATCH = 500


class StockAlertRefused(ValueError):
    """A subscription that cannot be made; ``message`` says why, for the shopper."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Subscribed(StrEnum):
    CONFIRMED = "confirmed"  # waiting for the stock: told when it is back
    CONFIRMATION_SENT = "confirmation_sent"  # a guest's address must confirm first


@dataclass(frozen=True)
class Subscription:
    alert: StockAlert
    outcome: Subscribed


# --- Back in stock: subscribing ---------------------------------------------------------


def variant_sellable(variant: Variant) -> int:
    """Units a shopper could buy now: none of a variant no longer sold."""
    if not variant.is_active or not variant.product.is_active:
        return 0
    return max(variant.stock_available, 0)


@transaction.atomic
def stock_alert_subscribe(
    *, variant: Variant, user: AbstractBaseUser | None = None, email: str = ""
) -> Subscription:
    """Wait for a sold-out ``variant``: ``user`` (their account's address)
    or a guest's ``email``. An account's verified address is confirmed at
    once; any other address is sent a link to confirm (at most once a day
    per alert). Asked again, the waiting alert is kept as it is (and a
    guest's confirmation sent again on another day). Raises
    ``StockAlertRefused`` for a variant in stock or no longer sold."""
    account = cast(User | None, user)  # AUTH_USER_MODEL
    address = preferences.email_normalize(preferences.user_email(account) if account is not None else email)
    if not address:
        raise StockAlertRefused(_("Enter your email address."))
    # Under the watch's lock, the stock is read after the alert job's last
    # look, and the baseline set here is the one its next look compares with.
    watch = stock_watches_lock(variant_ids=[variant.pk])[variant.pk]
    current = Variant.objects.select_related("product").get(pk=variant.pk)
    if not current.is_active or not current.product.is_active:
        raise StockAlertRefused(_("%(product)s is not sold any more.") % {"product": current.product.title})
    if variant_sellable(current) > 0:
        raise StockAlertRefused(
            _("%(product)s is in stock: you can add it to your cart now.")
            % {"product": current.product.title}
        )
    if watch.available_seen != 0:  # sold out now: whatever comes in from here came back
        StockWatch.objects.filter(pk=watch.pk).update(available_seen=0)
    verified = account is not None and address in {
        preferences.email_normalize(verified) for verified in user_verified_emails(user=account)
    }
    now = timezone.now()
    alert = StockAlert.objects.filter(variant=current, email=address, notified_at__isnull=True).first()
    if alert is None:
        alert = StockAlert.objects.create(
            variant=current, user=account, email=address, confirmed_at=now if verified else None
        )
    else:
        changed = []
        if account is not None and alert.user_id is None:
            alert.user = account
            changed.append("user")
        if verified and alert.confirmed_at is None:
            alert.confirmed_at = now
            changed.append("confirmed_at")
        if changed:
            alert.save(update_fields=changed)
    if alert.confirmed_at is not None:
        return Subscription(alert=alert, outcome=Subscribed.CONFIRMED)
    _confirmation_queue(alert=alert, variant=current)
    return Subscription(alert=alert, outcome=Subscribed.CONFIRMATION_SENT)


def stock_alert_confirm_token(*, alert: StockAlert) -> str:
    return signing.dumps({"a": alert.pk, "e": alert.email}, salt=CONFIRM_SALT, compress=True)


def stock_alert_for_token(*, token: str) -> StockAlert:
    """The alert a confirmation link is for. Raises
    ``notifications.tokens.BadToken`` for a link tampered with or of an alert
    that is gone, and its ``TokenExpired`` for one older than ``CONFIRM_MAX_AGE``."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        alert_id, email = int(data["a"]), str(data["e"])
    except signing.SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadToken(str(error)) from error
    alert = StockAlert.objects.select_related("variant__product").filter(pk=alert_id, email=email).first()
    if alert is None:
        raise BadToken("the alert is gone")
    return alert


@transaction.atomic
def stock_alert_confirm(*, token: str) -> StockAlert:
    """Confirm the guest's address a link was sent to: from now on the
    alert job may tell it. Followed twice, nothing more happens. Raises as
    ``stock_alert_for_token``."""
    alert = stock_alert_for_token(token=token)
    if alert.confirmed_at is None:
        alert.confirmed_at = timezone.now()
        StockAlert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(
            confirmed_at=alert.confirmed_at
        )
    return alert


def _confirmation_queue(*, alert: StockAlert, variant: Variant) -> None:
    token = stock_alert_confirm_token(alert=alert)
    notification_queue(
        kind=CONFIRM,
        key=f"{alert.pk}:{timezone.now():%Y-%m-%d}",
        context={
            **_variant_context(variant),
            "confirm_url": shop_url(reverse("wishlists:alert_confirm", kwargs={"token": token})),
        },
        params={"product": variant.product.title},
        email=alert.email,
    )


# --- Back in stock: telling ---------------------------------------------------------------


def stock_alerts_send() -> int:
    """Beat, every minute: tell the first people waiting for each variant
    whose available units changed since the last look. Returns how many
    alerts were owed. One transaction per variant, so a variant's lock is
    held only while its alerts are written."""
    return sum(stock_alerts_send_for_variant(variant_id=pk) for pk in _variants_to_look_at())


def _variants_to_look_at() -> list[int]:
    """Variants with confirmed people waiting whose units a shopper could buy
    differ from those last seen: one query, so that a minute without news
    costs nothing more."""
    waiting = StockAlert.objects.filter(notified_at__isnull=True, confirmed_at__isnull=False)
    seen = StockWatch.objects.filter(variant_id=OuterRef("pk")).values("available_seen")[:1]
    return list(
        Variant.objects.filter(pk__in=waiting.values("variant_id"))
        .annotate(
            sellable=Case(
                When(
                    Q(is_active=True, product__is_active=True, stock_on_hand__gt=F("stock_reserved")),
                    then=F("stock_on_hand") - F("stock_reserved"),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
            seen=Coalesce(Subquery(seen), Value(0)),
        )
        .exclude(sellable=F("seen"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def stock_alerts_send_for_variant(*, variant_id: int) -> int:
    """Under the variant's watch lock: the units that came back since the
    last look, times ``WISHLIST_STOCK_ALERT_FACTOR``, is how many of the
    confirmed people waiting (first come first) are owed an alert (an email,
    and an in-site notice to an account); the units available now become
    the baseline, also when they went down. A person who switched wishlist
    alerts off is passed over (their alert is closed) without using a place.
    Returns how many alerts were owed."""
    watch = stock_watches_lock(variant_ids=[variant_id]).get(variant_id)
    variant = (
        Variant.objects.select_related("product")
        .prefetch_related("option_values")
        .filter(pk=variant_id)
        .first()
    )
    if watch is None or variant is None:
        return 0
    available = variant_sellable(variant)
    places = max(0, available - watch.available_seen) * settings.WISHLIST_STOCK_ALERT_FACTOR
    waiting = StockAlert.objects.filter(
        variant_id=variant_id, notified_at__isnull=True, confirmed_at__isnull=False
    )
    now = timezone.now()
    owed = 0
    while places > 0:
        alerts = list(waiting.select_related("user").order_by("created_at", "pk")[:places])
        if not alerts:
            break
        for alert in alerts:
            if _back_in_stock_queue(alert=alert, variant=variant) is not None:
                owed += 1
                places -= 1
        StockAlert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(notified_at=now)
    if watch.available_seen != available:
        StockWatch.objects.filter(pk=watch.pk).update(available_seen=available)
    return owed


def _back_in_stock_queue(*, alert: StockAlert, variant: Variant) -> Notification | None:
    context = _variant_context(variant)
    price = variant.sale_price if variant.sale_price is not None else variant.price
    return notification_queue(
        kind=BACK_IN_STOCK,
        key=str(alert.pk),
        context={**context, "price": format_money(price)},
        params={"product": variant.product.title},
        # An account's alert goes to the account's address of today.
        email=(preferences.user_email(alert.user) if alert.user is not None else "") or alert.email,
        user=alert.user,
        link=context["product_path"],
    )


# --- Price drops ----------------------------------------------------------------------------


def price_drops_alert(*, batch_size: int = PRICE_BATCH) -> int:
    """Beat, hourly: every item of a person's list whose price fell at least
    ``WISHLIST_PRICE_DROP_PERCENT`` below its ``price_seen`` owes one alert
    (the occasion is the item and its new price, so a run repeated owes
    nothing more), and the price becomes the baseline; a price above the
    baseline becomes it too; an item without one gets today's price, without
    an alert. Reads and writes each batch in a constant number of queries
    (plus the alerts owed). Returns how many alerts were owed."""
    percent = Decimal(str(settings.WISHLIST_PRICE_DROP_PERCENT))
    owed = 0
    for batch in _item_batches(batch_size=batch_size):
        with transaction.atomic():
            changed = []
            for item in batch:
                price = item_price(item)
                seen = item.price_seen
                if price is None or price == seen:
                    continue
                if seen is not None and price < seen:
                    if price > seen * (100 - percent) / 100:
                        continue  # a small fall: measured from the same baseline next time
                    _price_drop_queue(item=item, was=seen, price=price)
                    owed += 1
                item.price_seen = price
                changed.append(item)
            if changed:
                WishlistItem.objects.bulk_update(changed, ["price_seen"])
    return owed


def item_price(item: WishlistItem) -> Decimal | None:
    """What the item costs now: its variant's sale price (an automatic
    promotion) or price; a product's lowest, for an item of a product. None
    when it is not sold."""
    product = item.product
    if not product.is_active:
        return None
    variant = item.variant
    if variant is not None:
        if not variant.is_active:
            return None
        return variant.sale_price if variant.sale_price is not None else variant.price
    return product.sale_price_min if product.sale_price_min is not None else product.price_min


def _item_batches(*, batch_size: int) -> Iterator[list[WishlistItem]]:
    """The items of lists with an owner (a guest's list has no address), by
    primary key, a batch at a time."""
    last = 0
    while True:
        batch = list(
            WishlistItem.objects.filter(wishlist__user__isnull=False, pk__gt=last)
            .select_related("wishlist__user", "product", "variant")
            .prefetch_related("variant__option_values")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _price_drop_queue(*, item: WishlistItem, was: Decimal, price: Decimal) -> Notification | None:
    user = item.wishlist.user
    if user is None:  # _item_batches reads only lists with an owner
        return None
    context = _product_context(item.product, item.variant)
    off = int((was - price) * 100 / was) if was else 0
    return notification_queue(
        kind=PRICE_DROP,
        key=f"{item.pk}:{price}",
        context={**context, "price_was": format_money(was), "price": format_money(price), "percent_off": off},
        params={"product": item.product.title},
        email=preferences.user_email(user),
        user=user,
        link=context["product_path"],
    )


# --- What the messages show ----------------------------------------------------------------


def _variant_context(variant: Variant) -> dict[str, Any]:
    return _product_context(variant.product, variant)


def _product_context(product: Product, variant: Variant | None) -> dict[str, Any]:
    path = product.get_absolute_url()
    label = ""
    if variant is not None:
        path = f"{path}?variant={variant.pk}"
        # "M / Blue"; a product without options has no label to show.
        label = " / ".join(value.value for value in variant.option_values.all())
    return {
        "product_title": product.title,
        "variant_label": label,
        "product_path": path,
        "product_url": shop_url(path),
    }
