"""Shipping's part of "Download my data" and "Delete my account".

Shipments refer to their order by its public number (``reference``); orders
asks with the numbers of a person's orders (``orders/privacy.py``). After
deletion a shipment keeps what it carried, its carrier, tracking and dates,
and of its destination only the country (and state): the rest of the
address goes.
"""

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.db.models import Prefetch

from shipping.models import Shipment, ShipmentLine, TrackingEvent

# What stays of a destination after erasure: no one is found by it.
DESTINATION_KEPT = ("country_code", "country_area")


def shipments_export(*, references: Collection[str]) -> dict[str, list[dict[str, Any]]]:
    """The shipments of these orders with their lines and tracking events, by
    order reference (three queries whatever their number)."""
    shipments = (
        Shipment.objects.filter(reference__in=list(references))
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.order_by("pk")),
            Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    exported: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for shipment in shipments:
        exported[shipment.reference].append(
            {
                "carrier": shipment.shown_as,
                "status": shipment.status,
                "tracking_number": shipment.tracking_number,
                "tracking_url": shipment.tracking_url,
                "destination": shipment.destination,
                "created_at": shipment.created_at.isoformat(),
                "lines": [
                    {"sku": line.sku, "title": line.title, "quantity": line.quantity}
                    for line in shipment.lines.all()
                ],
                "tracking": [
                    {
                        "occurred_at": event.occurred_at.isoformat(),
                        "status": event.status,
                        "place": event.place,
                        "description": event.description,
                    }
                    for event in shipment.events.all()
                ],
            }
        )
    return dict(exported)


def shipments_erase(*, references: Collection[str]) -> None:
    """Reduce the destinations of these orders' shipments to their country."""
    shipments = list(Shipment.objects.filter(reference__in=list(references)).only("pk", "destination"))
    for shipment in shipments:
        shipment.destination = {
            key: shipment.destination[key] for key in DESTINATION_KEPT if shipment.destination.get(key)
        }
    Shipment.objects.bulk_update(shipments, ["destination"])
