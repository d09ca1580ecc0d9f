"""Who is asking: a personal access token (``Authorization: Bearer shp_…``)
or the shop's own session (DRF's ``SessionAuthentication``, named in the
settings: the CSRF check on every write)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import AccessToken
from api.tokens import access_token_for_key


class AccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer shp_…"))
        token = access_token_for_key(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated request a 401 with WWW-Authenticate, not a 403.
        return f'{self.keyword} realm="api"'


class AccessTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names token authentication (drf-spectacular finds it
    by its target class, in this module so it is loaded with the class)."""

    target_class = "api.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (shp_…) made at /accounts/tokens/.",
        }
