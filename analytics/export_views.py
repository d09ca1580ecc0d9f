"""/admin/analytics/export/: a report as CSV, XLSX or PDF, for staff who may
see the reports (``analytics.view_reports``)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from analytics.exports import ExportError, export_build


@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """``?from=&to=&compare=previous|year|none&format=csv|xlsx|pdf&report=<key>``;
    bad input is a 400 saying what is wrong."""
    if not request.user.has_perm("analytics.view_reports"):
        raise PermissionDenied
    query = request.GET
    try:
        export = export_build(
            first=query.get("from"),
            last=query.get("to"),
            fmt=query.get("format"),
            compare=query.get("compare"),
            report=query.get("report"),
        )
    except ExportError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


# Staff only (the admin's login for anyone else), then the permission: 403.
export = admin.site.admin_view(export_view)
