"""The carriers' tracking webhook: verify, record once, apply, move the order.

``/shipping/webhooks/<carrier>/`` is CSRF-exempt (a carrier has no cookie)
and trusts only the signature. The view lives in orders because the order
reacts: shipping verifies the call, records its event id once and applies
the tracking; then each shipment whose status changed moves its order
(delivered when all its parcels are), in the same transaction. If that
fails, nothing is kept and the answer is a 500, so the carrier delivers
again. A bad signature, a malformed body or a replay is a 4xx with the
reason, and nothing changes.
"""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.lifecycle.fulfilment import order_shipment_changed
from shipping.carriers.base import WebhookRejected
from shipping.services import carrier_webhook_receive


# Carriers cannot send a CSRF token; the signature check stands in for it.
@csrf_exempt
@require_POST
def carrier_webhook_view(request: HttpRequest, carrier: str) -> HttpResponse:
    try:
        with transaction.atomic():
            result = carrier_webhook_receive(carrier=carrier, body=request.body, headers=request.headers)
            for shipment in result.changed:
                order_shipment_changed(shipment)
    except WebhookRejected as exc:
        return HttpResponse(exc.reason, status=exc.status, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
