"""The one small interface every carrier adapter implements, the values it
returns and the errors it raises.

An adapter quotes rates for a parcel and a destination; it may also buy a
label, fetch tracking and verify tracking webhooks (each optional: the
default raises ``CarrierUnsupported``). Adapters read their settings when
called, never at import, and bound every network call with a timeout.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shipping.quotes import Destination, Parcel, ShippingOption


class CarrierError(Exception):
    """A carrier call that did not give a usable answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CarrierNotConfigured(CarrierError):
    """The carrier is enabled but its keys or settings are missing."""


class CarrierAuthError(CarrierError):
    """The carrier refused our credentials (HTTP 401/403)."""


class CarrierUnavailable(CarrierError):
    """The carrier is down: a 5xx, a refused connection."""


class CarrierTimeout(CarrierUnavailable):
    """The carrier did not answer within the timeout."""


class CarrierBadResponse(CarrierError):
    """An answer we cannot read: not JSON, or not shaped as documented."""


class CarrierRequestError(CarrierError):
    """The carrier refused the request itself (a 4xx other than auth)."""


class CarrierUnsupported(CarrierError):
    """This carrier does not do that (labels, tracking or webhooks)."""


class WebhookRejected(Exception):
    """A webhook call that is refused with ``status`` (4xx) and changes nothing."""

    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class TrackingEventData:
    """One tracking event as the carrier told it; ``status`` is one of
    ``Shipment.Status``; ``key`` is the carrier's own id of the event when
    it has one (otherwise the event's content identifies it)."""

    occurred_at: datetime
    status: str
    description: str = ""
    place: str = ""
    key: str = ""


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    carrier_reference: str = ""
    status: str = ""
    tracking_url: str = ""
    events: tuple[TrackingEventData, ...] = ()


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook call: the carrier's event id (unique per event,
    the same on redelivery) and the tracking it carries, if any."""

    event_id: str
    kind: str
    tracking: TrackingUpdate | None = None


@dataclass(frozen=True)
class Label:
    tracking_number: str
    tracking_url: str = ""
    label_url: str = ""
    carrier_reference: str = ""
    service: str = ""


class Carrier(ABC):
    """Base class of the adapters; ``name`` is the key in ``SHIPPING_CARRIERS``
    and the first part of its option ids."""

    name: str = ""
    #: Whether ``label_create`` works for this carrier.
    supports_labels: bool = False
    #: Whether ``tracking_fetch`` works for this carrier.
    supports_tracking: bool = False
    #: Whether rates come from the network (quoted in a Celery task, cached).
    is_live: bool = False

    def __init__(self, *, timeout: int | None = None) -> None:
        #: When given, network calls wait at most this long even if the
        #: carrier's own timeout setting is longer (a page waiting inline).
        self.timeout_cap = timeout

    def is_configured(self) -> bool:
        return True

    @property
    def receives_webhooks(self) -> bool:
        """Whether tracking updates arrive by webhook (else they are polled)."""
        return False

    @abstractmethod
    def rates(
        self, *, destination: Destination, parcel: Parcel, order_value: Decimal
    ) -> list[ShippingOption]:
        """Every way this carrier ships the parcel there; each adapter has its own."""

    def label_create(
        self, *, destination: Destination, parcel: Parcel, service: str, reference: str
    ) -> Label:
        raise CarrierUnsupported(f"{self.name} does not make labels.")

    def tracking_fetch(self, *, tracking_number: str, carrier_reference: str, service: str) -> TrackingUpdate:
        raise CarrierUnsupported(f"{self.name} does not track shipments.")

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise WebhookRejected(f"{self.name} does not send webhooks here.", status=404)
