"""`make test` falls back to SQLite on a laptop and refuses to in CI."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = {
    "TEST_DATABASE_URL": "postgres://postgres@127.0.0.1:1/shop",
    "TEST_REDIS_URL": "redis://127.0.0.1:1/15",
}


def _bin_test(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"CI", "REQUIRE_SERVICES", "PYTEST_ADDOPTS"}}
    return subprocess.run(
        [sys.executable, "bin/test", *args],
        cwd=ROOT,
        env={**base, **NOWHERE, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_without_services_it_runs_on_sqlite_and_says_what_it_skipped():
    result = _bin_test("tests/shop/test_health.py", "-q")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "database SQLite, redis none (eager tasks)" in result.stdout
    assert "SKIPPED [1] tests/shop/test_health.py" in result.stdout
    assert "needs Redis (REDIS_URL is not set)" in result.stdout
    assert "4 passed, 1 skipped" in result.stdout


def test_in_ci_a_missing_service_fails_the_run():
    result = _bin_test("tests/shop/test_health.py", "-q", CI="true")

    assert result.returncode == 2
    assert "services are required (CI/REQUIRE_SERVICES) but missing: PostgreSQL at" in result.stdout
