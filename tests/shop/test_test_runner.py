"""`make test` falls back to SQLite on a laptop and refuses to in CI."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
        env={**base, **NOWHERE, "TEST_WORKERS": "0", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
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


@pytest.mark.postgres
@pytest.mark.redis
def test_two_runs_at_once_use_separate_databases():
    """Two runs on one machine used to share `test_shop` and Redis db 15 and
    failed on each other's rows; now each takes a free slot of its own."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CI", "REQUIRE_SERVICES", "PYTEST_ADDOPTS", "TEST_DATABASE_URL", "TEST_REDIS_URL"}
        and not k.startswith("PYTEST_XDIST")
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "bin/test", "tests/shop/test_money.py", "-q"],
            cwd=ROOT,
            env={**base, "TEST_WORKERS": "0"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=180)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    used = {re.search(r"database (\S+), redis (\S+)", output).groups() for output in outputs}  # type: ignore[union-attr]
    assert len(used) == 2
    (database_a, redis_a), (database_b, redis_b) = used
    assert database_a != database_b
    assert redis_a != redis_b
