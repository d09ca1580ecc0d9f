"""A local stand-in for EasyPost's API v2, answering as its documentation
shows (https://docs.easypost.com/docs/shipments, …/trackers, …/errors):

- HTTP Basic authentication with the API key as user name; a wrong key is
  a 401 with ``{"error": {"code": "APIKEY.INACTIVE", "message": …}}``.
- ``POST /v2/shipments`` answers a ``Shipment`` whose ``rates`` carry
  ``carrier``, ``service``, ``rate`` (a decimal string), ``currency`` and
  ``delivery_days``, in the currency asked for in ``options.currency``.
- ``POST /v2/shipments/<id>/buy`` answers the shipment with
  ``tracking_code``, ``postage_label.label_url`` and a ``tracker``.
- ``POST /v2/trackers`` and ``GET /v2/trackers/<id>`` answer a ``Tracker``
  with ``tracking_details``.

``mode`` makes it misbehave: ``"malformed"`` (HTML instead of JSON),
``"error"`` (500), ``"slow"`` (answers after ``delay`` seconds). Every
request is recorded.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "EZTK-standin-key"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    body: dict[str, Any]


def tracker(
    tracking_code: str, details: list[tuple[str, str, str]], *, tracker_id: str = "trk_standin1"
) -> dict[str, Any]:
    """A Tracker with ``details`` as (ISO time, status, message)."""
    return {
        "id": tracker_id,
        "object": "Tracker",
        "mode": "test",
        "tracking_code": tracking_code,
        "status": details[-1][1] if details else "unknown",
        "carrier": "USPS",
        "tracking_details": [
            {
                "object": "TrackingDetail",
                "message": message,
                "description": "",
                "status": status,
                "status_detail": "status_update",
                "datetime": when,
                "source": "USPS",
                "tracking_location": {
                    "object": "TrackingLocation",
                    "city": "HOUSTON",
                    "state": "TX",
                    "country": None,
                    "zip": "77063",
                },
            }
            for when, status, message in details
        ],
        "public_url": f"https://track.easypost.com/{tracker_id}",
    }


class EasyPostStandIn:
    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 1.0
        self.requests: list[RecordedRequest] = []
        # (carrier, service, rate, currency or None for "as asked", delivery days)
        self.rates: list[tuple[str, str, str, str | None, int | None]] = [
            ("USPS", "Priority", "7.33", None, 2),
            ("USPS", "Express", "49.60", None, None),
            ("UPS", "Ground", "11.20", "USD", 5),
        ]
        self.trackers: dict[str, dict[str, Any]] = {}
        self._shipments: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v2"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- Endpoints: (status, body) ------------------------------------------

    def answer(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if method == "POST" and path == "/v2/shipments":
            return self._shipment_create(body)
        if method == "POST" and path.startswith("/v2/shipments/") and path.endswith("/buy"):
            return self._shipment_buy(path.split("/")[3], body)
        if method == "POST" and path == "/v2/trackers":
            code = str(body.get("tracker", {}).get("tracking_code", ""))
            found = self.trackers.get(code) or tracker(code, [])
            return HTTPStatus.OK, found
        if method == "GET" and path.startswith("/v2/trackers/"):
            tracker_id = path.rsplit("/", 1)[1]
            for found in self.trackers.values():
                if found["id"] == tracker_id:
                    return HTTPStatus.OK, found
        message = "The requested resource could not be found."
        return HTTPStatus.NOT_FOUND, {"error": {"code": "NOT_FOUND", "message": message, "errors": []}}

    def _shipment_create(self, body: dict[str, Any]) -> tuple[int, Any]:
        shipment = body.get("shipment") or {}
        currency = shipment.get("options", {}).get("currency", "USD")
        to_address = shipment.get("to_address") or {}
        if not to_address.get("country") or not (shipment.get("parcel") or {}).get("weight"):
            return HTTPStatus.UNPROCESSABLE_ENTITY, {
                "error": {"code": "SHIPMENT.INVALID_PARAMS", "message": "Missing parameters.", "errors": []}
            }
        shipment_id = f"shp_{secrets.token_hex(8)}"
        rates = [
            {
                "id": f"rate_{secrets.token_hex(8)}",
                "object": "Rate",
                "mode": "test",
                "service": service,
                "carrier": carrier,
                "rate": amount,
                "currency": rate_currency or currency,
                "delivery_days": days,
                "est_delivery_days": days,
                "shipment_id": shipment_id,
            }
            for carrier, service, amount, rate_currency, days in self.rates
        ]
        answer = {
            "id": shipment_id,
            "object": "Shipment",
            "mode": "test",
            "reference": shipment.get("reference"),
            "status": "unknown",
            "tracking_code": None,
            "to_address": {"object": "Address", **to_address},
            "from_address": {"object": "Address", **(shipment.get("from_address") or {})},
            "parcel": {"object": "Parcel", **shipment["parcel"]},
            "postage_label": None,
            "rates": rates,
            "selected_rate": None,
            "tracker": None,
            "messages": [],
        }
        with self._lock:
            self._shipments[shipment_id] = answer
        return HTTPStatus.OK, answer

    def _shipment_buy(self, shipment_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        shipment = self._shipments.get(shipment_id)
        rate_id = (body.get("rate") or {}).get("id")
        rate = next((r for r in (shipment or {}).get("rates", []) if r["id"] == rate_id), None)
        if shipment is None or rate is None:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {
                "error": {"code": "SHIPMENT.RATE.INVALID", "message": "Invalid rate.", "errors": []}
            }
        code = f"9405500{secrets.randbelow(10**15):015d}"
        tracking = tracker(code, [], tracker_id=f"trk_{secrets.token_hex(8)}")
        self.trackers[code] = tracking
        bought = {
            **shipment,
            "tracking_code": code,
            "selected_rate": rate,
            "postage_label": {
                "object": "PostageLabel",
                "label_url": f"https://easypost-files.s3.example/{shipment_id}.png",
                "label_file_type": "image/png",
            },
            "tracker": tracking,
        }
        return HTTPStatus.OK, bought


def _authorised(header: str | None) -> bool:
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, _, _password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return False
    return user == API_KEY


def _handler_for(standin: EasyPostStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the stand-in records its requests itself."""

        def _respond(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout cases)

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            with standin._lock:
                standin.requests.append(RecordedRequest(method, self.path, body))
            if standin.mode == "slow":
                time.sleep(standin.delay)
            if not _authorised(self.headers.get("Authorization")):
                error = {
                    "error": {
                        "code": "APIKEY.INACTIVE",
                        "message": "This api key is no longer active. Please use a different api key.",
                        "errors": [],
                    }
                }
                self._respond(HTTPStatus.UNAUTHORIZED, json.dumps(error).encode(), "application/json")
                return
            if standin.mode == "error":
                error = {"error": {"code": "INTERNAL_SERVER_ERROR", "message": "Something went wrong."}}
                self._respond(
                    HTTPStatus.INTERNAL_SERVER_ERROR, json.dumps(error).encode(), "application/json"
                )
                return
            if standin.mode == "malformed":
                self._respond(HTTPStatus.OK, b"<html><body>Bad gateway</body></html>", "text/html")
                return
            status, answer = standin.answer(method, self.path, body)
            self._respond(status, json.dumps(answer).encode(), "application/json; charset=utf-8")

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

    return Handler
