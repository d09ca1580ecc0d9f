"""Orders' part of "Download my data" and "Delete my account" (registered
with ``accounts.privacy`` in ``OrdersConfig.ready()``), covering the orders'
payments and shipments too: payments and shipping know orders only by
their number, so we hand them the numbers.

A person's orders are those of their account and the guest orders placed
with one of their *verified* email addresses (an address anyone can type in
proves nothing, so it neither shows nor erases anyone's orders).

Deletion keeps what tax law requires on an invoice (§14 UStG, kept ten
years under §147 AO) and erases the rest; see docs/decisions.md:

- an order that was paid (it has an invoice, also when it was cancelled or
  refunded later) keeps its billing name and address, without the phone;
  its shipping address keeps only the country (and state), which set the
  VAT rate;
- an order never paid has no invoice: both addresses keep only the country;
  one still awaiting payment is cancelled first (stock and codes freed; a
  payment confirmed later is given back), so no invoice without a name;
- every order's email becomes the deleted account's placeholder address,
  its fingerprint (a hash of what it was made from) is cleared, the reason
  the shopper gave for a return goes (from the return and its event), status
  emails not yet sent are dropped, unfinished checkouts with the person's
  email or orders go;
- payments lose the email and the payer's details in webhook payloads;
  shipments keep only the destination's country.
"""

from functools import reduce
from operator import or_
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.addressing import ADDRESS_FIELDS
from accounts.locks import user_lock
from accounts.models import User
from accounts.privacy import erased_email
from accounts.services import user_data_export, user_delete
from analytics.events import events_erase, events_export
from cart.services import cart_erase, cart_export
from notifications.selectors import notifications_for
from notifications.services import notification_queue
from orders.lifecycle.cancellation import orders_unpaid_cancel
from orders.models import Checkout, Order, OrderEvent, OrderLine, Return, ReturnLine
from payments.privacy import payments_erase, payments_export
from promotions.privacy import redemptions_erase, redemptions_export
from reviews.privacy import reviews_erase, reviews_export
from shipping.privacy import shipments_erase, shipments_export
from wishlists.services import wishlists_erase, wishlists_export

# What an invoice names of its buyer (§14 (4) 1. UStG: full name and full
# address), kept on paid orders for ten years. The phone is not on it.
INVOICE_ADDRESS_FIELDS = ADDRESS_FIELDS
# What stays of an address that is not on an invoice: the country (and
# state) the goods went to, which decided the tax; no one is found by it.
COUNTRY_FIELDS = ("country_code", "country_area")


def _verified_emails(user: User) -> list[str]:
    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))


def _by_email(field: str, emails: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__iexact": email}) for email in emails), Q(pk__in=[]))


def person_orders(user: User, *, emails: list[str] | None = None) -> QuerySet[Order]:
    """The user's orders and the guest orders of their verified addresses
    (``emails``, when the caller has them already)."""
    emails = _verified_emails(user) if emails is None else emails
    return Order.objects.filter(Q(user=user) | (Q(user__isnull=True) & _by_email("email", emails)))


def _only(address: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: address[field] for field in fields if address.get(field)}


def _isoformat(value: Any) -> str | None:
    return value.isoformat() if value else None


def _emails_by_order(user: User, emails: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The messages about each order (by number), in one query."""
    by_number: dict[str, list[dict[str, Any]]] = {}
    for notification in notifications_for(emails=[user.email, *emails], user=user).filter(
        kind__startswith="order."
    ):
        by_number.setdefault(notification.key.partition(":")[0], []).append(
            {
                "kind": notification.kind.removeprefix("order."),
                "subject": notification.subject,
                "notice": notification.title,
                "sent_at": _isoformat(notification.sent_at),
            }
        )
    return by_number


def orders_export(user: User) -> list[dict[str, Any]]:
    """Every order of the person with its lines, history, payments (card
    brand and last four only), shipments, returns and the emails sent about
    it; a constant number of queries however many orders."""
    emails = _verified_emails(user)
    orders = list(
        person_orders(user, emails=emails)
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
            Prefetch(
                "returns",
                queryset=Return.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").order_by("pk"))
                ),
            ),
        )
    )
    numbers = [order.number for order in orders]
    payments = payments_export(order_references=numbers) if numbers else {}
    shipments = shipments_export(references=numbers) if numbers else {}
    messages = _emails_by_order(user, emails)
    return [
        {
            "number": order.number,
            "status": order.status,
            "email": order.email,
            "created_at": _isoformat(order.created_at),
            "paid_at": _isoformat(order.paid_at),
            "cancelled_at": _isoformat(order.cancelled_at),
            "delivered_at": _isoformat(order.delivered_at),
            "currency": order.currency,
            "subtotal": str(order.subtotal),
            "discount_total": str(order.discount_total),
            "shipping_price": str(order.shipping_price),
            "tax_total": str(order.tax_total),
            "total": str(order.total),
            "promo_codes": order.promo_codes,
            "discounts": order.discounts,
            "shipping_method": order.shipping_method.get("name", ""),
            "shipping_address": order.shipping_address,
            "billing_address": order.billing_address,
            "lines": [
                {
                    "title": line.product_title,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "discount": str(line.discount),
                    "tax_rate": str(line.tax_rate),
                    "tax": str(line.tax),
                    "total": str(line.total),
                    "quantity_shipped": line.quantity_shipped,
                    "quantity_returned": line.quantity_returned,
                }
                for line in order.lines.all()
            ],
            "history": [
                {
                    "at": _isoformat(event.created_at),
                    "from": event.from_status,
                    "to": event.to_status,
                    "note": event.note,
                }
                for event in order.events.all()
            ],
            "payments": payments.get(order.number, []),
            "shipments": shipments.get(order.number, []),
            "returns": [
                {
                    "number": ret.number,
                    "status": ret.status,
                    "reason": ret.reason,
                    "created_at": _isoformat(ret.created_at),
                    "lines": [
                        {
                            "sku": line.order_line.sku,
                            "title": line.order_line.product_title,
                            "quantity": line.quantity,
                        }
                        for line in ret.lines.all()
                    ],
                }
                for ret in order.returns.all()
            ],
            "emails": messages.get(order.number, []),
        }
        for order in orders
    ]


def orders_erase(user: User) -> None:
    """Erase the person from their orders but what the invoices of paid
    orders must keep (see the module's docstring)."""
    emails = _verified_emails(user)
    orders = list(
        person_orders(user, emails=emails).only(
            "pk", "number", "paid_at", "shipping_address", "billing_address"
        )
    )
    # An order still awaiting payment would become an invoice without a name
    # if paid now: it is cancelled (stock freed; a late payment is given back).
    orders_unpaid_cancel(
        order_ids=[order.pk for order in orders], note=_("Cancelled: the customer deleted their account.")
    )
    placeholder = erased_email(user_id=user.pk)
    for order in orders:
        order.email = placeholder
        order.fingerprint = ""
        order.shipping_address = _only(order.shipping_address, COUNTRY_FIELDS)
        kept = INVOICE_ADDRESS_FIELDS if order.paid_at is not None else COUNTRY_FIELDS
        order.billing_address = _only(order.billing_address, kept)
    Order.objects.bulk_update(orders, ["email", "fingerprint", "shipping_address", "billing_address"])
    order_ids = [order.pk for order in orders]
    _returns_erase(order_ids)
    Checkout.objects.filter(Q(order_id__in=order_ids) | _by_email("email", [user.email, *emails])).delete()
    numbers = [order.number for order in orders]
    payments_erase(order_references=numbers)
    shipments_erase(references=numbers)


def _returns_erase(order_ids: list[int]) -> None:
    """The shopper's reason for a return is their own words: it goes from
    the return and from the "return requested" event that quoted it."""
    returns = Return.objects.filter(order_id__in=order_ids).exclude(reason="")
    reasons = sorted(set(returns.values_list("reason", flat=True)), key=len, reverse=True)
    if not reasons:
        return
    quoting = reduce(or_, (Q(note__contains=reason) for reason in reasons))
    events = list(OrderEvent.objects.filter(quoting, order_id__in=order_ids).only("pk", "note"))
    for event in events:
        for reason in reasons:
            event.note = event.note.replace(reason, "[erased]")
    OrderEvent.objects.bulk_update(events, ["note"])
    returns.update(reason="")


# --- The whole person: "Download my data" and "Delete my account" ------------------------
# Orders sit above every app that holds personal data, so the two lists of
# parts are written here, in full, as calls.


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the shop holds about ``user``, as JSON-able data: the
    account's part, then the cart, the orders (with their payments, shipments,
    returns and emails) and the promo codes used."""
    data = user_data_export(user=user)
    data["cart"] = cart_export(user)
    data["orders"] = orders_export(user)
    data["promo_code_redemptions"] = redemptions_export(user)
    data["reviews"] = reviews_export(user)
    data["wishlists"] = wishlists_export(user)
    data["analytics_events"] = events_export(user_id=user.pk)
    return data


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete an account: each app erases its part (orders keep the invoice
    fields of paid ones), then the account itself is anonymised, in one
    transaction holding the user's row."""
    user = user_lock(user_id=user.pk)
    email = user.email
    cart_erase(user)
    orders_erase(user)
    redemptions_erase(user)
    reviews_erase(user)
    wishlists_erase(user, emails=[email, *_verified_emails(user)])
    events_erase(user_id=user.pk)
    user_delete(user=user)
    # The last message to the address, after every other was erased.
    notification_queue(kind="account.deleted", key=f"user:{user.pk}", context={"email": email}, email=email)
