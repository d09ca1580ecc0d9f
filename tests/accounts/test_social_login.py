"""Social login through allauth for Google, GitHub and Facebook, driven end to
end against a local stand-in for each provider (tests/accounts/oauth_standin.py):
our server redirects to the stand-in, the stand-in plays the person consenting,
and our server exchanges the code and reads the profile from the stand-in."""

import base64
import copy
import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.facebook import flows as facebook_flows
from allauth.socialaccount.providers.facebook.views import FacebookOAuth2Adapter
from allauth.socialaccount.providers.github.views import GitHubOAuth2Adapter
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from django.contrib.auth import SESSION_KEY
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from shop.settings import _social_apps
from tests.accounts.oauth_standin import FACEBOOK_GRAPH_VERSION, OAuthStandIn, Person
from tests.accounts.oauth_standin import Client as OAuthClient
from tests.factories import UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

PROVIDERS = ("google", "github", "facebook")
KEYS = {
    "google": ("1234-stand-in.apps.googleusercontent.com", "google-secret-s3cr3t"),
    "github": ("Iv1.standin0github", "github-secret-s3cr3t"),
    "facebook": ("1234567890", "facebook-secret-s3cr3t"),
}
GRAPH = f"/facebook/{FACEBOOK_GRAPH_VERSION}"
TOKEN_PATH = {
    "google": "/google/token",
    "github": "/github/login/oauth/access_token",
    "facebook": f"{GRAPH}/oauth/access_token",
}
ADA = Person(uid="583231", email="ada@example.org", given_name="Ada", family_name="Lovelace")


INLINE_TAGS = frozenset({"a", "abbr", "b", "code", "em", "i", "small", "span", "strong"})


class Page(HTMLParser):
    """What a person sees of a page: its text, links and forms, and whether it
    wears the shop's header (markup details belong to the templates)."""

    def __init__(self, response: "TestResponse") -> None:
        super().__init__()
        self.status_code = response.status_code
        self.links: dict[str, str] = {}  # href -> text
        self.form_methods: list[str] = []
        self.has_site_header = False
        self._text: list[str] = []
        self._href: str | None = None
        self._skip = 0
        self.feed(response.content.decode())

    @property
    def text(self) -> str:
        return " ".join("".join(self._text).split())

    def provider_links(self) -> dict[str, str]:
        """Provider id -> link text, for every link to a social login."""
        return {
            path.split("/")[2]: text
            for href, text in self.links.items()
            if (path := href.split("?")[0]).count("/") == 4
            and path.endswith("/login/")
            and path.split("/")[2] in PROVIDERS
        }

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._text.append("" if tag in INLINE_TAGS else " ")
        if tag in ("script", "style", "title"):
            self._skip += 1
        elif tag == "a" and "href" in values:
            self._href = values["href"]
            self.links[self._href] = ""
        elif tag == "form":
            self.form_methods.append(values.get("method", "get").lower())
        elif tag == "header" and "site-header" in values.get("class", "").split():
            self.has_site_header = True

    def handle_endtag(self, tag: str) -> None:
        self._text.append("" if tag in INLINE_TAGS else " ")
        if tag in ("script", "style", "title"):
            self._skip -= 1
        elif tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._text.append(data)
        if self._href is not None:
            self.links[self._href] = " ".join(f"{self.links[self._href]} {data}".split())


def callback_url(provider: str) -> str:
    return f"http://testserver/accounts/{provider}/login/callback/"


def providers_setting(settings: Settings, configured: tuple[str, ...]) -> dict[str, dict[str, object]]:
    """The project's SOCIALACCOUNT_PROVIDERS with keys for ``configured`` only."""
    providers: dict[str, dict[str, object]] = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    for provider in PROVIDERS:
        client_id, secret = KEYS[provider]
        providers[provider]["APPS"] = (
            [{"client_id": client_id, "secret": secret}] if provider in configured else []
        )
    return providers


@pytest.fixture
def standin(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[OAuthStandIn]:
    """All three providers configured with keys and pointed at a running stand-in."""
    server = OAuthStandIn(ADA)
    for provider in PROVIDERS:
        client_id, secret = KEYS[provider]
        server.register(provider, OAuthClient(client_id, secret, callback_url(provider)))
    server.start()
    base = server.url
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(GoogleOAuth2Adapter, "authorize_url", f"{base}/google/o/oauth2/v2/auth")
    monkeypatch.setattr(GoogleOAuth2Adapter, "access_token_url", f"{base}/google/token")
    monkeypatch.setattr(GoogleOAuth2Adapter, "identity_url", f"{base}/google/oauth2/v2/userinfo")
    monkeypatch.setattr(GitHubOAuth2Adapter, "authorize_url", f"{base}/github/login/oauth/authorize")
    monkeypatch.setattr(GitHubOAuth2Adapter, "access_token_url", f"{base}/github/login/oauth/access_token")
    monkeypatch.setattr(GitHubOAuth2Adapter, "profile_url", f"{base}/github/api/user")
    monkeypatch.setattr(GitHubOAuth2Adapter, "emails_url", f"{base}/github/api/user/emails")
    monkeypatch.setattr(FacebookOAuth2Adapter, "authorize_url", f"{base}{GRAPH}/dialog/oauth")
    monkeypatch.setattr(FacebookOAuth2Adapter, "access_token_url", f"{base}{GRAPH}/oauth/access_token")
    monkeypatch.setattr(facebook_flows, "GRAPH_API_URL", f"{base}{GRAPH}")
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(settings, PROVIDERS)
    yield server
    server.stop()


def start_login(client: Client, provider: str) -> str:
    """Press the provider's button: our server answers with the authorize URL."""
    response = client.post(f"/accounts/{provider}/login/")
    assert response.status_code == 302
    return response["Location"]


def consent_at_provider(authorize_url: str) -> str:
    """The person at the provider: the stand-in redirects back to our callback."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back_at_shop(client: Client, url: str, **params: str) -> "TestResponse":
    """Follow the provider's redirect into our callback, optionally tampered."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | params
    return client.get(parts.path, query)


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- Buttons on the login page --------------------------------------------------


def test_login_page_shows_no_provider_when_no_keys_are_configured(client: Client, settings: Settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(settings, configured=())

    page = Page(client.get("/accounts/login/"))

    assert page.status_code == 200
    assert page.provider_links() == {}


def test_login_page_shows_exactly_the_providers_whose_keys_are_in_settings(
    client: Client, settings: Settings
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(settings, configured=("google", "facebook"))

    links = Page(client.get("/accounts/login/")).provider_links()

    assert sorted(links) == ["facebook", "google"]
    assert "Google" in links["google"]
    assert "Facebook" in links["facebook"]


def test_login_page_shows_a_provider_configured_in_the_admin_for_this_site(
    client: Client, settings: Settings
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(settings, configured=())
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="Iv1.admin", secret="admin-s")
    app.sites.add(Site.objects.get_current())

    links = Page(client.get("/accounts/login/")).provider_links()

    assert list(links) == ["github"]
    assert "GitHub" in links["github"]


def test_login_page_hides_an_admin_configured_provider_not_enabled_for_this_site(
    client: Client, settings: Settings
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(settings, configured=())
    SocialApp.objects.create(provider="github", name="GitHub", client_id="Iv1.admin", secret="admin-s")

    assert Page(client.get("/accounts/login/")).provider_links() == {}


def test_a_provider_gets_an_app_from_the_environment_only_with_both_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_CLIENT_ID", "Iv1.fromenv")
    monkeypatch.delenv("GITHUB_CLIENT_SECRET", raising=False)
    assert _social_apps("github") == []

    monkeypatch.setenv("GITHUB_CLIENT_SECRET", "env-secret")
    assert _social_apps("github") == [{"client_id": "Iv1.fromenv", "secret": "env-secret"}]


# --- The round trip ---------------------------------------------------------------


def test_following_a_provider_link_asks_before_leaving_the_shop(
    client: Client, standin: OAuthStandIn
) -> None:
    page = Page(client.get("/accounts/google/login/?process=login"))

    assert page.status_code == 200
    assert page.has_site_header
    assert "You are about to sign in using a third-party account from Google." in page.text
    assert page.form_methods.count("post") == 1
    assert standin.requests == []


@pytest.mark.parametrize(
    ("provider", "authorize_params"),
    [
        ("google", {"scope": {"profile", "email"}, "access_type": "online"}),
        ("github", {"scope": {"user:email"}}),
    ],
)
def test_social_login_creates_a_verified_user_from_the_provider_and_logs_them_in(
    client: Client, standin: OAuthStandIn, provider: str, authorize_params: dict[str, object]
) -> None:
    client_id, secret = KEYS[provider]

    authorize_url = start_login(client, provider)
    query = dict(parse_qsl(urlsplit(authorize_url).query))
    state = query.pop("state")
    query_scope = set(query.pop("scope").split(" "))
    # Google runs with PKCE: a S256 challenge now, its verifier with the code.
    challenge = query.pop("code_challenge", None)
    assert (query.pop("code_challenge_method", None), challenge is not None) == (
        ("S256", True) if provider == "google" else (None, False)
    )
    assert authorize_url.startswith(f"{standin.url}/{provider}/")
    assert query == {
        "client_id": client_id,
        "redirect_uri": callback_url(provider),
        "response_type": "code",
        **{key: value for key, value in authorize_params.items() if key != "scope"},
    }
    assert query_scope == authorize_params["scope"]
    assert state in client.session["socialaccount_states"]

    response = back_at_shop(client, consent_at_provider(authorize_url))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    (token_request,) = standin.requests_to(TOKEN_PATH[provider])
    assert token_request.method == "POST"
    form = dict(token_request.form)
    verifier = form.pop("code_verifier", None)
    if challenge is not None:
        assert verifier is not None
        digest = hashlib.sha256(verifier.encode()).digest()
        assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
    assert form == {
        "code": standin.issued_codes[0],
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uri": callback_url(provider),
        "grant_type": "authorization_code",
    }
    (access_token,) = standin.issued_tokens
    profile_requests = {
        request.path: request.headers["authorization"]
        for request in standin.requests
        if request.path.startswith(f"/{provider}/api/") or request.path.endswith("/userinfo")
    }
    # Google's answer carries an id_token with the person in it, so no
    # user-info call is needed; GitHub is asked for the profile and the emails.
    expected = {
        "google": {},
        "github": {
            "/github/api/user": f"token {access_token}",
            "/github/api/user/emails": f"token {access_token}",
        },
    }
    assert profile_requests == expected[provider]
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == ("ada@example.org", "Ada", "Lovelace")
    assert not user.has_usable_password()
    assert list(EmailAddress.objects.values_list("user", "email", "verified", "primary")) == [
        (user.pk, "ada@example.org", True, True)
    ]
    assert list(SocialAccount.objects.values_list("user", "provider", "uid")) == [
        (user.pk, provider, "583231")
    ]
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert mail.outbox == []


def test_google_login_reads_the_userinfo_endpoint_with_the_bearer_token_when_no_id_token_comes(
    client: Client, standin: OAuthStandIn
) -> None:
    standin.google_sends_id_token = False

    response = back_at_shop(client, consent_at_provider(start_login(client, "google")))

    (access_token,) = standin.issued_tokens
    (userinfo_request,) = standin.requests_to("/google/oauth2/v2/userinfo")
    assert userinfo_request.headers["authorization"] == f"Bearer {access_token}"
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == ("ada@example.org", "Ada", "Lovelace")
    assert EmailAddress.objects.get(user=user).verified is True
    assert logged_in_user_id(client) == str(user.pk)


def test_google_id_token_for_another_client_is_refused(client: Client, standin: OAuthStandIn) -> None:
    standin.google_id_token_audience = "someone-elses-app.apps.googleusercontent.com"

    response = back_at_shop(client, consent_at_provider(start_login(client, "google")))

    page = Page(response)
    assert page.status_code == 401
    assert "Third-Party Login Failure" in page.text
    assert User.objects.count() == 0
    assert logged_in_user_id(client) is None


def test_facebook_login_creates_the_user_but_asks_to_verify_the_email_first(
    client: Client, standin: OAuthStandIn
) -> None:
    client_id, secret = KEYS["facebook"]

    authorize_url = start_login(client, "facebook")
    query = dict(parse_qsl(urlsplit(authorize_url).query))
    assert authorize_url.startswith(f"{standin.url}{GRAPH}/dialog/oauth?")
    assert (query["client_id"], query["redirect_uri"], query["scope"]) == (
        client_id,
        callback_url("facebook"),
        "email",
    )

    response = back_at_shop(client, consent_at_provider(authorize_url))

    (token_request,) = standin.requests_to(f"{GRAPH}/oauth/access_token")
    assert token_request.method == "GET"
    assert token_request.query == {
        "code": standin.issued_codes[0],
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uri": callback_url("facebook"),
        "grant_type": "authorization_code",
    }
    (access_token,) = standin.issued_tokens
    (me_request,) = standin.requests_to(f"{GRAPH}/me")
    assert me_request.query["access_token"] == access_token
    assert me_request.query["appsecret_proof"] == (
        hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
    )
    # Facebook does not vouch for the address, so allauth stores it unverified
    # and mandatory verification holds the login until the link is followed.
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == ("ada@example.org", "Ada", "Lovelace")
    assert list(EmailAddress.objects.values_list("email", "verified")) == [("ada@example.org", False)]
    assert list(SocialAccount.objects.values_list("user", "provider", "uid")) == [
        (user.pk, "facebook", "583231")
    ]
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "[Shop] Please Confirm Your Email Address"

    # Following the link verifies the address; the next Facebook login then
    # goes straight in, to the same account.
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", str(message.body))
    assert link is not None
    client.post(link[1])
    response = back_at_shop(client, consent_at_provider(start_login(client, "facebook")))

    assert EmailAddress.objects.get().verified is True
    assert response["Location"] == reverse("accounts:profile")
    assert logged_in_user_id(client) == str(user.pk)
    assert User.objects.count() == 1


def test_a_provider_sharing_no_email_leads_to_a_shop_form_asking_for_one(
    client: Client, standin: OAuthStandIn
) -> None:
    standin.person = replace(ADA, email="")

    response = back_at_shop(client, consent_at_provider(start_login(client, "github")))

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    assert User.objects.count() == 0
    page = Page(client.get(response["Location"]))
    assert page.status_code == 200
    assert page.has_site_header
    assert "You are about to use your GitHub account to login to" in page.text
    assert page.form_methods.count("post") == 1


# --- When it does not work out -----------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_denied_consent_shows_that_the_login_was_cancelled(
    client: Client, standin: OAuthStandIn, provider: str
) -> None:
    standin.deny_consent = True
    provider_redirect = consent_at_provider(start_login(client, provider))
    assert dict(parse_qsl(urlsplit(provider_redirect).query))["error"] == "access_denied"

    response = back_at_shop(client, provider_redirect)

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_login_cancelled")
    page = Page(client.get(response["Location"]))
    assert page.status_code == 200
    assert page.has_site_header
    assert "Login Cancelled" in page.text
    assert "You decided to cancel logging in to our site" in page.text
    assert "If this was a mistake, please proceed to sign in." in page.text
    assert reverse("account_login") in page.links
    assert standin.requests_to(TOKEN_PATH[provider]) == []
    assert User.objects.count() == 0
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("provider", ["google", "github"])
def test_social_login_with_the_email_of_an_existing_account_neither_logs_in_nor_duplicates(
    client: Client, standin: OAuthStandIn, provider: str
) -> None:
    existing = UserFactory.create(email="ada@example.org")

    response = back_at_shop(client, consent_at_provider(start_login(client, provider)))

    # SOCIALACCOUNT_EMAIL_AUTHENTICATION is off, so the address does not log
    # into the existing account; unique emails forbid a second one; and
    # enumeration prevention hides the conflict behind "check your email",
    # while the email tells the owner the account exists and how to get in.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert list(User.objects.values_list("pk", flat=True)) == [existing.pk]
    assert SocialAccount.objects.count() == 0
    assert logged_in_user_id(client) is None
    page = Page(client.get(response["Location"]))
    assert page.status_code == 200
    assert page.has_site_header
    assert "Check your email" in page.text
    # The page tells the owner of an existing account what to do.
    assert "If you already have an account with this address, the email explains how to sign in" in page.text
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "[Shop] Account Already Exists"
    assert "an account using that email address already exists" in message.body
    assert "http://testserver/accounts/password/reset/" in message.body


@pytest.mark.parametrize("forgery", ["made-up state", "state of another browser"])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_callback_with_a_state_this_session_did_not_issue_is_refused(
    client: Client, standin: OAuthStandIn, provider: str, forgery: str
) -> None:
    provider_redirect = consent_at_provider(start_login(client, provider))
    if forgery == "made-up state":
        response = back_at_shop(client, provider_redirect, state="forged-state-1234")
    else:
        victim = Client()
        response = back_at_shop(victim, provider_redirect)
        client = victim

    page = Page(response)
    assert page.status_code == 401
    assert page.has_site_header
    assert "Third-Party Login Failure" in page.text
    assert standin.requests_to(TOKEN_PATH[provider]) == []
    assert User.objects.count() == 0
    assert logged_in_user_id(client) is None
