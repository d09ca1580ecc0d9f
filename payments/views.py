"""The webhook endpoint: verify, record once, apply, answer.

``/payments/webhooks/<gateway>/`` is CSRF-exempt (the gateway has no cookie)
and trusts only the signature. A bad one is a 400 with the reason and
records nothing; a repeated delivery is a 200 that does nothing again; an
error while applying is a 500, recorded on the event, so the gateway delivers
again later. Orders hear about the payment through payments/listeners.py.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.errors import WebhookInvalid
from payments.gateways import GATEWAYS
from payments.services import webhook_event_apply, webhook_event_mark_processed, webhook_event_receive

logger = logging.getLogger(__name__)


# Gateways cannot send a CSRF token; the signature check stands in for it.
@csrf_exempt
@require_POST
def webhook_view(request: HttpRequest, gateway: str) -> HttpResponse:
    if gateway not in GATEWAYS:
        raise Http404("No such gateway.")
    try:
        event = webhook_event_receive(gateway=gateway, body=request.body, headers=request.headers)
    except WebhookInvalid as error:
        logger.warning("Refused a %s webhook: %s", gateway, error)
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if event.processed_at is None:
        try:
            webhook_event_apply(event=event)
        except Exception as error:  # Recorded for staff; the gateway retries on a 500.
            logger.exception("Could not apply %s", event)
            webhook_event_mark_processed(event=event, error=f"{type(error).__name__}: {error}")
            return HttpResponse("error", status=500, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
