"""The questions of the shipping app: read-only queries."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import F, Prefetch, QuerySet, Sum
from django.utils import timezone

from shipping import rates
from shipping.models import RateBand, Shipment, ShipmentLine, ShippingMethod, ShippingZone

# Shipments still moving after this long are lost or forgotten by the
# carrier; polling them forever would only cost API calls.
TRACKING_POLL_MAX_AGE = timedelta(days=90)


def zones_with_active_methods(*, with_methods: bool = False) -> QuerySet[ShippingZone]:
    """Zones that have at least one active method, in the order they are
    tried; with ``with_methods`` their active methods and bands come along
    (three queries in all)."""
    zones = ShippingZone.objects.filter(methods__is_active=True).distinct().order_by("position", "pk")
    if with_methods:
        methods = ShippingMethod.objects.filter(is_active=True).order_by("position", "pk")
        zones = zones.prefetch_related(
            Prefetch("methods", queryset=methods),
            Prefetch("methods__bands", queryset=RateBand.objects.order_by("from_value", "pk")),
        )
    return zones


def zone_for_destination(
    *, country_code: str, postal_code: str, with_methods: bool = False
) -> ShippingZone | None:
    """The first zone (by position) with an active method that covers the destination."""
    return rates.zone_for(
        zones_with_active_methods(with_methods=with_methods),
        country_code=country_code,
        postal_code=postal_code,
    )


def zone_lists_country(*, country_code: str) -> bool:
    """Whether a zone with an active method names the country (perhaps only
    some of its postcodes)."""
    code = country_code.upper()
    return any(code in zone.country_codes for zone in zones_with_active_methods())


def shipment_get(*, shipment_id: int) -> Shipment:
    return Shipment.objects.get(pk=shipment_id)


def shipments_for_reference(*, reference: str) -> QuerySet[Shipment]:
    """An order's shipments with their lines and events, newest first."""
    return Shipment.objects.filter(reference=reference).prefetch_related("lines", "events")


def shipment_quantities_shipped(*, reference: str) -> dict[int, int]:
    """Units shipped so far per order line (``line_reference``), cancelled
    shipments not counted."""
    rows = (
        ShipmentLine.objects.filter(shipment__reference=reference, line_reference__isnull=False)
        .exclude(shipment__status=Shipment.Status.CANCELLED)
        .values("line_reference")
        .annotate(shipped=Sum("quantity"))
    )
    shipped: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["line_reference"] is not None:
            shipped[row["line_reference"]] += row["shipped"]
    return dict(shipped)


def shipments_for_tracking(
    *, tracking_number: str, carrier_reference: str, carrier: str
) -> QuerySet[Shipment]:
    """The shipments a carrier's tracking update is about."""
    shipments = Shipment.objects.filter(carrier=carrier)
    if carrier_reference and tracking_number:
        return shipments.filter(carrier_reference=carrier_reference) | shipments.filter(
            tracking_number=tracking_number
        )
    if carrier_reference:
        return shipments.filter(carrier_reference=carrier_reference)
    return shipments.filter(tracking_number=tracking_number) if tracking_number else shipments.none()


def shipments_to_poll(*, carriers: Iterable[str]) -> QuerySet[Shipment]:
    """Shipments of these carriers still on their way, with a tracking
    number, least recently updated first."""
    return (
        Shipment.objects.filter(
            carrier__in=list(carriers), created_at__gte=timezone.now() - TRACKING_POLL_MAX_AGE
        )
        .exclude(status__in=Shipment.FINAL_STATUSES)
        .exclude(tracking_number="")
        .order_by(F("tracked_at").asc(nulls_first=True), "pk")
    )
