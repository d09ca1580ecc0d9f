"""The API's own parts: personal access tokens (made, shown once, stored
hashed, scoped, expiring, revocable), errors as problem details, unknown
addresses, the schema and the documentation page under the shop's CSP."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from api.models import AccessToken
from api.scopes import READ, STAFF_ORDERS
from api.tokens import TokenError, access_token_create, access_token_for_key, access_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_stored_only_as_its_hash():
    user = UserFactory.create()
    made = access_token_create(user=user, name="Stock script", scopes=[READ], expires_in_days=30)

    assert made.key.startswith("shp_")
    assert len(made.key) >= 40
    stored = AccessToken.objects.get()
    assert made.key not in str(list(AccessToken.objects.values()))
    assert stored.key_hash == hashlib.sha256(made.key.encode()).hexdigest()
    assert made.key.startswith(stored.prefix)
    assert stored.expires_at == stored.created_at + timedelta(days=30)
    assert access_token_for_key(made.key) == stored


def test_expired_revoked_unknown_and_inactive_owners_tokens_do_not_authenticate():
    user = UserFactory.create()
    expired = access_token_create(user=user, name="a", scopes=[READ])
    AccessToken.objects.filter(pk=expired.token.pk).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked = access_token_create(user=user, name="b", scopes=[READ])
    access_token_revoke(user=user, token_id=revoked.token.pk)
    other = access_token_create(user=UserFactory.create(is_active=False), name="c", scopes=[READ])

    assert access_token_for_key(expired.key) is None
    assert access_token_for_key(revoked.key) is None
    assert access_token_for_key(other.key) is None
    assert access_token_for_key("shp_" + "x" * 43) is None
    assert access_token_for_key("not a token") is None


def test_a_token_cannot_be_made_with_unknown_or_staff_scopes_by_a_customer():
    user = UserFactory.create()
    with pytest.raises(TokenError, match="Unknown scopes: everything"):
        access_token_create(user=user, name="x", scopes=["everything"])
    with pytest.raises(TokenError, match="Only staff"):
        access_token_create(user=user, name="x", scopes=[STAFF_ORDERS])
    with pytest.raises(TokenError, match="name"):
        access_token_create(user=user, name=" ", scopes=[READ])
    with pytest.raises(TokenError, match="1 to 365 days"):
        access_token_create(user=user, name="x", scopes=[READ], expires_in_days=1000)


def test_only_the_owner_revokes_a_token():
    owner, other = UserFactory.create(), UserFactory.create()
    made = access_token_create(user=owner, name="x", scopes=[READ])
    with pytest.raises(AccessToken.DoesNotExist):
        access_token_revoke(user=other, token_id=made.token.pk)
    assert access_token_for_key(made.key) is not None


def test_unknown_api_addresses_answer_with_a_problem_document(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is no such API address.",
        "code": "not_found",
    }


def test_a_bad_token_is_a_401_problem_with_the_reason(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_AUTHORIZATION="Bearer shp_wrong")
    # Unknown addresses are answered before authentication: the schema is the same for everyone.
    assert response.status_code == 404


def test_the_schema_is_openapi_3(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_documentation_page_has_no_inline_code_and_no_cdn(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<style>" not in html
    assert "<script>" not in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]


def _rates(monkeypatch, **rates: str) -> None:
    """DRF reads the rates into the throttle class when it is imported."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})


def test_too_many_requests_are_a_429_problem_with_retry_after(client, monkeypatch):
    _rates(monkeypatch, anon="2/min")
    from django.core.cache import cache

    cache.clear()
    answers = [client.get("/api/v1/brands/") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2]["Content-Type"] == "application/problem+json"
    assert int(answers[2]["Retry-After"]) > 0
    assert answers[2].json()["code"] == "throttled"


def test_a_token_has_its_own_budget_apart_from_its_owner_s_other_tokens(client, monkeypatch):
    _rates(monkeypatch, user="2/min")
    from django.core.cache import cache

    cache.clear()
    user = UserFactory.create()
    first = access_token_create(user=user, name="one", scopes=[READ]).key
    second = access_token_create(user=user, name="two", scopes=[READ]).key

    spent = [client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {first}").status_code for _ in range(3)]
    fresh = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {second}").status_code

    assert spent == [200, 200, 429]
    assert fresh == 200
