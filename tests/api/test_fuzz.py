"""schemathesis (its command line, as an outside client would run it)
against a live server: every operation of the OpenAPI schema, with
generated input, anonymously and with a token holding every customer scope,
must answer without a server error and as the schema says (status codes,
content types, bodies, headers)."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from api.scopes import SCOPES, STAFF_SCOPES
from api.tokens import access_token_create
from tests.factories import UserFactory
from tests.orders.factories import germany, stocked_variants

pytestmark = [pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)
EXAMPLES = "20"  # per operation and phase


@pytest.fixture
def shop(monkeypatch) -> None:
    # No 429 in the way of the checks (DRF reads the rates into the class at import).
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        dict.fromkeys(("anon", "user", "checkout", "promo"), "100000/min"),
    )
    germany()
    stocked_variants(5, 0, title="Fuzz Lamp", price=Decimal("19.90"))


def _fuzz(live_server, *headers: str) -> None:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/schema/?format=json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        EXAMPLES,
        "--seed",
        "1",
        "--no-color",
        "--workers",
        "2",
        "--request-timeout",
        "30",
        *[part for header in headers for part in ("--header", header)],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]


def test_anonymously_no_server_error_and_every_answer_as_the_schema_says(live_server, shop):
    _fuzz(live_server)


def test_with_a_token_no_server_error_and_every_answer_as_the_schema_says(live_server, shop):
    customer = UserFactory.create()
    scopes = [scope for scope in SCOPES if scope not in STAFF_SCOPES]
    key = access_token_create(user=customer, name="fuzz", scopes=scopes).key
    _fuzz(live_server, f"Authorization: Bearer {key}")
