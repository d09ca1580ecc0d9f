"""A local stand-in for the OAuth2 endpoints of Google, GitHub and Facebook.

One threaded ``http.server`` answers, for each provider, the authorize, token
and profile (user-info, GitHub's emails) endpoints the way the provider
documents them, and records every request it got, so a test can drive the
whole login with no internet and then check what our server sent.

- Google (https://developers.google.com/identity/protocols/oauth2/web-server):
  ``POST /google/token`` answers JSON with an ``id_token`` (the identity
  scopes ``profile``/``email`` make Google send one), ``GET
  /google/oauth2/v2/userinfo`` takes ``Authorization: Bearer``.
- GitHub (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps):
  ``POST /github/login/oauth/access_token`` answers form-encoded unless asked
  for JSON, and a bad code is a 200 with ``error=bad_verification_code``;
  ``GET /github/api/user`` and ``/github/api/user/emails`` take
  ``Authorization: token …`` or ``Bearer …``.
- Facebook (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow):
  ``GET /facebook/v19.0/oauth/access_token`` with the parameters in the query,
  ``GET /facebook/v19.0/me`` with ``access_token`` and ``appsecret_proof``.

The authorize endpoints play the person at the provider: they check the
client and redirect back with ``code`` and ``state`` (or with
``error=access_denied`` when the test set ``deny_consent``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt

GOOGLE_ISSUER = "https://accounts.google.com"
FACEBOOK_GRAPH_VERSION = "v19.0"


@dataclass(frozen=True)
class Person:
    """Who is signed in at the provider, with what the provider knows of them
    (an empty ``email``: the person has none the provider would share)."""

    uid: str
    email: str
    given_name: str
    family_name: str
    login: str = "adalovelace"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class Client:
    """An OAuth app registered at the provider."""

    client_id: str
    secret: str
    redirect_uri: str


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Grant:
    provider: str
    client_id: str
    redirect_uri: str
    code_challenge: str


class OAuthStandIn:
    """The three providers on one local port; start() before use, stop() after."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.clients: dict[str, Client] = {}
        self.deny_consent = False
        self.google_sends_id_token = True
        self.google_id_token_audience: str | None = None  # None: the client that asked
        self.requests: list[RecordedRequest] = []
        self.issued_codes: list[str] = []
        self.issued_tokens: dict[str, str] = {}  # access token -> provider
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def register(self, provider: str, client: Client) -> None:
        self.clients[provider] = client

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    # --- What each endpoint answers: (status, headers, body) --------------

    def authorize(self, provider: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        client = self.clients.get(provider)
        if client is None or query.get("client_id") != client.client_id:
            return _json(HTTPStatus.BAD_REQUEST, {"error": "invalid_client"})
        if query.get("redirect_uri") != client.redirect_uri or query.get("response_type") != "code":
            return _json(HTTPStatus.BAD_REQUEST, {"error": "redirect_uri_mismatch"})
        back: dict[str, str] = {}
        if self.deny_consent:
            back["error"] = "access_denied"
            back["error_description"] = "The user denied your request."
        else:
            code = secrets.token_urlsafe(16)
            with self._lock:
                self._grants[code] = _Grant(
                    provider, client.client_id, client.redirect_uri, query.get("code_challenge", "")
                )
                self.issued_codes.append(code)
            back["code"] = code
        if "state" in query:
            back["state"] = query["state"]
        return HTTPStatus.FOUND, {"Location": f"{client.redirect_uri}?{urlencode(back)}"}, b""

    def _redeem(self, provider: str, params: dict[str, str]) -> str | None:
        """The access token for a valid, unused code of this client, else None."""
        client = self.clients.get(provider)
        with self._lock:
            grant = self._grants.pop(params.get("code", ""), None)
        if (
            client is None
            or grant is None
            or grant.provider != provider
            or params.get("client_id") != client.client_id
            or params.get("client_secret") != client.secret
            or params.get("redirect_uri") != grant.redirect_uri
        ):
            return None
        if grant.code_challenge and grant.code_challenge != _s256(params.get("code_verifier", "")):
            return None
        token = f"{provider}-token-{secrets.token_urlsafe(12)}"
        with self._lock:
            self.issued_tokens[token] = provider
        return token

    def google_token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if form.get("grant_type") != "authorization_code":
            return _json(HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"})
        token = self._redeem("google", form)
        if token is None:
            return _json(
                HTTPStatus.BAD_REQUEST, {"error": "invalid_grant", "error_description": "Bad Request"}
            )
        body: dict[str, Any] = {
            "access_token": token,
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/userinfo.email "
            "https://www.googleapis.com/auth/userinfo.profile openid",
            "token_type": "Bearer",
        }
        if self.google_sends_id_token:
            body["id_token"] = self._google_id_token(self.google_id_token_audience or form["client_id"])
        return _json(HTTPStatus.OK, body)

    def _google_id_token(self, audience: str) -> str:
        now = int(time.time())
        claims = {
            "iss": GOOGLE_ISSUER,
            "azp": audience,
            "aud": audience,
            "sub": self.person.uid,
            "email": self.person.email,
            "email_verified": True,
            "name": self.person.name,
            "given_name": self.person.given_name,
            "family_name": self.person.family_name,
            "iat": now,
            "exp": now + 3600,
        }
        # Google signs with RS256; a client that got the token straight from
        # the token endpoint over TLS may skip the signature (OIDC Core 3.1.3.7).
        return jwt.encode(claims, "stand-in-signing-key-of-32-bytes!", algorithm="HS256")

    def google_userinfo(self, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self._bearer_ok("google", headers, schemes=("Bearer",)):
            return _json(HTTPStatus.UNAUTHORIZED, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        return _json(
            HTTPStatus.OK,
            {
                "id": self.person.uid,
                "email": self.person.email,
                "verified_email": True,
                "name": self.person.name,
                "given_name": self.person.given_name,
                "family_name": self.person.family_name,
                "picture": "https://lh3.googleusercontent.com/a/stand-in",
            },
        )

    def github_token(
        self, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        token = self._redeem("github", form)
        if token is None:
            body = {
                "error": "bad_verification_code",
                "error_description": "The code passed is incorrect or expired.",
            }
        else:
            body = {"access_token": token, "scope": "user:email", "token_type": "bearer"}
        if "application/json" in headers.get("accept", ""):
            return _json(HTTPStatus.OK, body)
        form_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        return HTTPStatus.OK, form_headers, urlencode(body).encode()

    def github_user(self, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self._bearer_ok("github", headers, schemes=("token", "Bearer")):
            return _json(HTTPStatus.UNAUTHORIZED, {"message": "Bad credentials"})
        # The address is private, as it is for many people: only the emails
        # endpoint reveals it.
        return _json(
            HTTPStatus.OK,
            {
                "login": self.person.login,
                "id": int(self.person.uid),
                "html_url": f"https://github.com/{self.person.login}",
                "name": self.person.name,
                "email": None,
            },
        )

    def github_emails(self, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self._bearer_ok("github", headers, schemes=("token", "Bearer")):
            return _json(HTTPStatus.UNAUTHORIZED, {"message": "Bad credentials"})
        emails = [{"email": self.person.email, "primary": True, "verified": True, "visibility": "private"}]
        return _json(HTTPStatus.OK, emails if self.person.email else [])

    def facebook_token(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        token = self._redeem("facebook", query)
        if token is None:
            return _json(
                HTTPStatus.BAD_REQUEST,
                {"error": {"message": "Invalid verification code format.", "type": "OAuthException"}},
            )
        return _json(HTTPStatus.OK, {"access_token": token, "token_type": "bearer", "expires_in": 5183944})

    def facebook_me(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        token = query.get("access_token", "")
        client = self.clients.get("facebook")
        expected_proof = (
            hmac.new(client.secret.encode(), token.encode(), hashlib.sha256).hexdigest() if client else ""
        )
        if self.issued_tokens.get(token) != "facebook" or not hmac.compare_digest(
            query.get("appsecret_proof", ""), expected_proof
        ):
            return _json(
                HTTPStatus.BAD_REQUEST,
                {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
            )
        profile = {
            "id": self.person.uid,
            "email": self.person.email,
            "name": self.person.name,
            "first_name": self.person.given_name,
            "last_name": self.person.family_name,
        }
        fields = query.get("fields", "id").split(",")
        return _json(HTTPStatus.OK, {key: value for key, value in profile.items() if key in fields})

    def _bearer_ok(self, provider: str, headers: dict[str, str], *, schemes: tuple[str, ...]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme in schemes and self.issued_tokens.get(token) == provider


def _s256(verifier: str) -> str:
    return urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _json(status: int, body: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


def _handler_for(standin: OAuthStandIn) -> type[BaseHTTPRequestHandler]:
    graph = f"/facebook/{FACEBOOK_GRAPH_VERSION}"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the recorded requests are the log."""

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = (
                dict(parse_qsl(body))
                if self.headers.get_content_type() == ("application/x-www-form-urlencoded")
                else {}
            )
            headers = {name.lower(): value for name, value in self.headers.items()}
            with standin._lock:
                standin.requests.append(RecordedRequest(self.command, parts.path, query, form, headers))
            routes = {
                ("GET", "/google/o/oauth2/v2/auth"): lambda: standin.authorize("google", query),
                ("POST", "/google/token"): lambda: standin.google_token(form),
                ("GET", "/google/oauth2/v2/userinfo"): lambda: standin.google_userinfo(headers),
                ("GET", "/github/login/oauth/authorize"): lambda: standin.authorize("github", query),
                ("POST", "/github/login/oauth/access_token"): lambda: standin.github_token(form, headers),
                ("GET", "/github/api/user"): lambda: standin.github_user(headers),
                ("GET", "/github/api/user/emails"): lambda: standin.github_emails(headers),
                ("GET", f"{graph}/dialog/oauth"): lambda: standin.authorize("facebook", query),
                ("GET", f"{graph}/oauth/access_token"): lambda: standin.facebook_token(query),
                ("GET", f"{graph}/me"): lambda: standin.facebook_me(query),
            }
            route = routes.get((self.command, parts.path))
            status, response_headers, payload = (
                route() if route else _json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            )
            self.send_response(status)
            for name, value in response_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
