import pytest

from notifications import services


@pytest.fixture(autouse=True)
def _outbox_sends_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """allauth's emails go through the outbox, sent after commit. These tests
    run inside one transaction that never commits, so here the outbox sends
    at once and ``mail.outbox`` holds the message when the page answers.
    The wait for the commit has its own tests (tests/notifications/)."""
    monkeypatch.setattr(
        services,
        "email_send_after_commit",
        lambda notification_id: services.notification_send_task.delay(notification_id),
    )
