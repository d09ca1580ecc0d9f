"""The payment gateways' webhook: verify, record once, apply, answer.

``/payments/webhooks/<gateway>/`` is CSRF-exempt (the gateway has no cookie)
and trusts only the signature. A bad one is a 400 with the reason and
records nothing; a repeated delivery is a 200 that does nothing again.
The view lives in orders because the order reacts: the event is applied to
its payment and the order moves (paid, declined) in one transaction, the
order's locks taken first. If anything in it fails, nothing of it is kept
but the error on the event, and the answer is a 500, so the gateway
delivers again: a confirmed payment never leaves its order unpaid.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.lifecycle.payment import order_payment_event_apply
from payments.errors import WebhookInvalid
from payments.gateways import GATEWAYS
from payments.services import webhook_event_mark_processed, webhook_event_receive

logger = logging.getLogger(__name__)


# Gateways cannot send a CSRF token; the signature check stands in for it.
@csrf_exempt
@require_POST
def payment_webhook_view(request: HttpRequest, gateway: str) -> HttpResponse:
    if gateway not in GATEWAYS:
        raise Http404("No such gateway.")
    try:
        event = webhook_event_receive(gateway=gateway, body=request.body, headers=request.headers)
    except WebhookInvalid as error:
        logger.warning("Refused a %s webhook: %s", gateway, error)
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if event.processed_at is None:
        try:
            order_payment_event_apply(event=event)
        except Exception as error:  # Recorded for staff; the gateway retries on a 500.
            logger.exception("Could not apply %s", event)
            webhook_event_mark_processed(event=event, error=f"{type(error).__name__}: {error}")
            return HttpResponse("error", status=500, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
