import pytest

from shop import outbox, tasks


@pytest.fixture(autouse=True)
def _outbox_sends_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """allauth's emails go through the outbox, sent after commit. These tests
    run inside one transaction that never commits, so here the outbox sends
    at once and ``mail.outbox`` holds the message when the page answers.
    The wait for the commit has its own tests (tests/shop/test_outbox.py)."""
    monkeypatch.setattr(
        outbox, "_send_after_commit", lambda email_id: tasks.outbound_email_send.delay(email_id)
    )
