"""The ``easypost`` carrier, through EasyPost's documented HTTP API (v2).

- Rates: ``POST /shipments`` with the to/from addresses and the parcel
  (weight in ounces) answers a shipment whose ``rates`` list each carrier
  service with ``rate`` (a decimal string) and ``currency``; we ask for the
  shop's currency (``options.currency``) and drop rates in any other.
- Labels: ``POST /shipments/<id>/buy`` with the chosen rate id answers the
  shipment with ``tracking_code``, ``postage_label.label_url`` and a
  ``tracker``.
- Tracking: ``GET /trackers/<id>`` (or ``POST /trackers`` with a tracking
  code, which EasyPost answers with the existing tracker for a known code).
- Webhooks: an ``Event`` (``id``, ``description`` such as
  ``tracker.updated``, ``result``: the tracker) signed with the webhook
  secret: ``X-Hmac-Signature: hmac-sha256-hex=<HMAC-SHA256 of the raw body>``,
  the secret NFKD-normalised, as EasyPost's client libraries check it.

Authentication is HTTP Basic with the API key as user name. Every call has
a timeout (``EASYPOST_TIMEOUT_SECONDS``, per connect and per read).
"""

import hashlib
import hmac
import json
import math
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext

from catalog.taxes import TaxClass
from shipping.carriers.base import (
    Carrier,
    CarrierAuthError,
    CarrierBadResponse,
    CarrierNotConfigured,
    CarrierRequestError,
    CarrierTimeout,
    CarrierUnavailable,
    Label,
    TrackingEventData,
    TrackingUpdate,
    WebhookEvent,
    WebhookRejected,
)
from shipping.models import Shipment
from shipping.quotes import Destination, Parcel, ShippingOption
from shop.money import to_money

GRAMS_PER_OUNCE = 28.349523125
SIGNATURE_HEADER = "X-Hmac-Signature"
SIGNATURE_PREFIX = "hmac-sha256-hex="
# The origin address must have these (our names); see SHIPPING_ORIGIN.
ORIGIN_REQUIRED = ("street_address_1", "city", "postal_code", "country_code")

Status = Shipment.Status
# EasyPost's tracker statuses in ours; "unknown" says nothing and maps to "".
STATUSES = {
    "pre_transit": Status.PENDING,
    "in_transit": Status.IN_TRANSIT,
    "out_for_delivery": Status.OUT_FOR_DELIVERY,
    "available_for_pickup": Status.AVAILABLE_FOR_PICKUP,
    "delivered": Status.DELIVERED,
    "return_to_sender": Status.RETURNED,
    "failure": Status.FAILED,
    "error": Status.FAILED,
    "cancelled": Status.CANCELLED,
}


def signature_for(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends for ``body``.

    >>> signature_for(b'{"id": "evt_1"}', "s3cret")[:24]
    'hmac-sha256-hex=7e635dd7'
    """
    key = unicodedata.normalize("NFKD", secret).encode()
    return SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def _address(fields: Mapping[str, str]) -> dict[str, str]:
    return {
        "name": fields.get("full_name", ""),
        "company": fields.get("company_name", ""),
        "street1": fields.get("street_address_1", ""),
        "street2": fields.get("street_address_2", ""),
        "city": fields.get("city", ""),
        "state": fields.get("country_area", ""),
        "zip": fields.get("postal_code", ""),
        "country": fields.get("country_code", ""),
        "phone": fields.get("phone", ""),
    }


def _ounces(grams: int) -> object:
    """EasyPost weighs in ounces with one decimal; we round up, never under-declare."""
    return max(1, math.ceil(grams * 10 / GRAMS_PER_OUNCE)) / 10


def _place(location: Any) -> str:
    if not isinstance(location, dict):
        return ""
    parts = (location.get("city"), location.get("state"), location.get("zip"), location.get("country"))
    return ", ".join(str(part) for part in parts if part)


def _when(value: Any) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise CarrierBadResponse(f"EasyPost sent a tracking event without a valid time: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tracking_from(tracker: Any) -> TrackingUpdate:
    """A tracker object (API answer or webhook ``result``) as our values."""
    if not isinstance(tracker, dict) or not isinstance(tracker.get("tracking_details", []), list):
        raise CarrierBadResponse("EasyPost sent a tracker we cannot read.")
    events = []
    for detail in tracker.get("tracking_details") or []:
        if not isinstance(detail, dict):
            raise CarrierBadResponse("EasyPost sent a tracking event we cannot read.")
        events.append(
            TrackingEventData(
                occurred_at=_when(detail.get("datetime")),
                status=STATUSES.get(str(detail.get("status") or ""), ""),
                description=str(detail.get("message") or detail.get("description") or "")[:500],
                place=_place(detail.get("tracking_location"))[:255],
            )
        )
    return TrackingUpdate(
        tracking_number=str(tracker.get("tracking_code") or ""),
        carrier_reference=str(tracker.get("id") or ""),
        status=STATUSES.get(str(tracker.get("status") or ""), ""),
        tracking_url=str(tracker.get("public_url") or ""),
        events=tuple(events),
    )


class EasyPostCarrier(Carrier):
    name = "easypost"
    supports_labels = True
    supports_tracking = True
    is_live = True

    def is_configured(self) -> bool:
        origin = settings.SHIPPING_ORIGIN
        return bool(settings.EASYPOST_API_KEY) and all(origin.get(key) for key in ORIGIN_REQUIRED)

    @property
    def receives_webhooks(self) -> bool:
        return bool(settings.EASYPOST_WEBHOOK_SECRET)

    # --- HTTP -----------------------------------------------------------------

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        if not self.is_configured():
            raise CarrierNotConfigured("EasyPost needs EASYPOST_API_KEY and a complete SHIPPING_ORIGIN.")
        url = settings.EASYPOST_API_BASE.rstrip("/") + path
        timeout = settings.EASYPOST_TIMEOUT_SECONDS
        if self.timeout_cap is not None:
            timeout = min(timeout, self.timeout_cap)
        try:
            response = requests.request(
                method,
                url,
                json=payload,
                auth=(settings.EASYPOST_API_KEY, ""),
                headers={"Accept": "application/json"},
                timeout=timeout,
            )
        except requests.Timeout:
            raise CarrierTimeout(f"EasyPost did not answer within {timeout} s.") from None
        except requests.RequestException as exc:
            raise CarrierUnavailable(f"EasyPost could not be reached: {type(exc).__name__}.") from None
        if response.status_code in (401, 403):
            raise CarrierAuthError(f"EasyPost refused the API key ({response.status_code}).")
        if response.status_code >= 500:
            raise CarrierUnavailable(f"EasyPost answered {response.status_code}.")
        try:
            data = response.json()
        except ValueError:
            raise CarrierBadResponse(f"EasyPost answered {response.status_code} without JSON.") from None
        if not isinstance(data, dict):
            raise CarrierBadResponse("EasyPost answered JSON that is not an object.")
        if response.status_code >= 400:
            error = data.get("error")
            detail = error.get("message") if isinstance(error, dict) else None
            raise CarrierRequestError(
                f"EasyPost refused the request ({response.status_code}): {detail or '-'}"
            )
        return data

    def _shipment_create(
        self, *, destination: Destination, parcel: Parcel, reference: str = ""
    ) -> dict[str, Any]:
        shipment: dict[str, Any] = {
            "to_address": _address(destination.as_dict()),
            "from_address": _address(settings.SHIPPING_ORIGIN),
            "parcel": {"weight": _ounces(parcel.weight_grams)},
            "options": {"currency": settings.SHOP_CURRENCY},
        }
        if reference:
            shipment["reference"] = reference
        data = self._call("POST", "/shipments", {"shipment": shipment})
        if not isinstance(data.get("rates"), list) or not isinstance(data.get("id"), str):
            raise CarrierBadResponse("EasyPost answered a shipment without rates.")
        return data

    # --- The interface --------------------------------------------------------

    def _option(self, rate: Any) -> ShippingOption | None:
        if not isinstance(rate, dict):
            raise CarrierBadResponse("EasyPost sent a rate we cannot read.")
        if rate.get("currency") != settings.SHOP_CURRENCY:
            return None
        try:
            carrier, service = str(rate["carrier"]), str(rate["service"])
            price = to_money(rate["rate"])
        except (KeyError, TypeError, ValueError):
            raise CarrierBadResponse("EasyPost sent a rate without carrier, service or amount.") from None
        days = rate.get("delivery_days") or rate.get("est_delivery_days")
        estimate = (
            ngettext("%(days)d business day", "%(days)d business days", days) % {"days": days}
            if isinstance(days, int) and days > 0
            else ""
        )
        return ShippingOption(
            id=f"{self.name}:{carrier}:{service}",
            carrier=self.name,
            service=f"{carrier}:{service}",
            name=f"{carrier} {service}",
            price=price,
            delivery_estimate=estimate,
            tax_class=TaxClass.STANDARD,
        )

    def rates(
        self, *, destination: Destination, parcel: Parcel, order_value: Decimal
    ) -> list[ShippingOption]:
        shipment = self._shipment_create(destination=destination, parcel=parcel)
        options = [option for rate in shipment["rates"] if (option := self._option(rate)) is not None]
        return sorted(options, key=lambda option: (option.price, option.name))

    def label_create(
        self, *, destination: Destination, parcel: Parcel, service: str, reference: str
    ) -> Label:
        shipment = self._shipment_create(destination=destination, parcel=parcel, reference=reference)
        chosen = next(
            (
                rate
                for rate in shipment["rates"]
                if isinstance(rate, dict) and f"{rate.get('carrier')}:{rate.get('service')}" == service
            ),
            None,
        )
        if chosen is None:
            raise CarrierRequestError(f"EasyPost does not offer {service} for this parcel any more.")
        bought = self._call("POST", f"/shipments/{shipment['id']}/buy", {"rate": {"id": chosen.get("id")}})
        label = bought.get("postage_label")
        tracker = bought.get("tracker")
        if not isinstance(tracker, dict):
            tracker = {}
        if not bought.get("tracking_code") or not isinstance(label, dict):
            raise CarrierBadResponse("EasyPost bought a label but sent no tracking code or label.")
        return Label(
            tracking_number=str(bought["tracking_code"]),
            tracking_url=str(tracker.get("public_url") or ""),
            label_url=str(label.get("label_url") or ""),
            carrier_reference=str(tracker.get("id") or ""),
            service=service,
        )

    def tracking_fetch(self, *, tracking_number: str, carrier_reference: str, service: str) -> TrackingUpdate:
        if carrier_reference.startswith("trk_"):
            return tracking_from(self._call("GET", f"/trackers/{carrier_reference}"))
        tracker: dict[str, str] = {"tracking_code": tracking_number}
        if ":" in service:
            tracker["carrier"] = service.split(":", 1)[0]
        return tracking_from(self._call("POST", "/trackers", {"tracker": tracker}))

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        secret = settings.EASYPOST_WEBHOOK_SECRET
        if not secret:
            raise WebhookRejected("EasyPost webhooks are not configured here.", status=404)
        signature = headers.get(SIGNATURE_HEADER) or ""
        if not hmac.compare_digest(signature_for(body, secret).encode(), signature.encode()):
            raise WebhookRejected("The signature does not match.", status=400)
        try:
            payload = json.loads(body)
        except ValueError:
            raise WebhookRejected("The body is not JSON.") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not payload["id"]:
            raise WebhookRejected("The body is not an EasyPost event.")
        kind = str(payload.get("description") or "")
        tracking = None
        if kind.startswith("tracker."):
            try:
                tracking = tracking_from(payload.get("result"))
            except CarrierBadResponse as exc:
                raise WebhookRejected(exc.message) from None
        return WebhookEvent(event_id=payload["id"], kind=kind, tracking=tracking)
