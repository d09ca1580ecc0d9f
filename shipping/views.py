from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shipping import services
from shipping.carriers.base import WebhookRejected


# Carriers cannot send a CSRF token; the signature check stands in for it.
@csrf_exempt
@require_POST
def carrier_webhook_view(request: HttpRequest, carrier: str) -> HttpResponse:
    """A carrier's tracking webhook: 200 once applied; 4xx with the reason,
    and nothing changed, for a bad signature, a malformed body or a replay."""
    try:
        services.carrier_webhook_receive(carrier=carrier, body=request.body, headers=request.headers)
    except WebhookRejected as exc:
        return HttpResponse(exc.reason, status=exc.status, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
