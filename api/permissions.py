"""What a request may do, declared on each view:

- ``public = True``: anyone may read (the catalog); writes still need a scope.
- ``scopes``: the scope each method needs, e.g. ``{"GET": READ, "POST": ORDERS_WRITE}``;
  a method not named needs ``read`` (safe methods) or is refused.
- ``staff_permissions``: Django permissions each method needs, e.g.
  ``{"POST": ["orders.change_order"]}``; the user must be active staff with them.

A token lacking the scope, or staff lacking the permission, gets a 403 that
says which; nobody signed in gets a 401. Another person's object is never
found (the views look objects up within the person's own), so a 404.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import AccessToken
from api.scopes import READ


def scope_required(view: Any, method: str) -> str | None:
    scopes: dict[str, str] = getattr(view, "scopes", {})
    if method in scopes:
        return scopes[method]
    if method == "HEAD" and "GET" in scopes:
        return scopes["GET"]
    return READ if method in SAFE_METHODS else None


class ScopePermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        method = request.method or "GET"
        if method == "OPTIONS":
            return True
        if getattr(view, "public", False) and method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated(_("Sign in, or send a personal access token."))
        scope = scope_required(view, method)
        if scope is None:
            raise exceptions.MethodNotAllowed(method)
        token = request.auth
        if isinstance(token, AccessToken) and scope not in token.scopes:
            raise exceptions.PermissionDenied(
                _("This token lacks the scope “%(scope)s”.") % {"scope": scope}, code="scope_missing"
            )
        needed: list[str] = getattr(view, "staff_permissions", {}).get(method, [])
        if method == "HEAD" and not needed:
            needed = getattr(view, "staff_permissions", {}).get("GET", [])
        if needed:
            if not request.user.is_staff:
                raise exceptions.PermissionDenied(_("This is for staff only."), code="staff_only")
            missing = [name for name in needed if not request.user.has_perm(name)]
            if missing:
                raise exceptions.PermissionDenied(
                    _("You need the permission “%(perm)s”.") % {"perm": ", ".join(missing)},
                    code="permission_missing",
                )
        return True
