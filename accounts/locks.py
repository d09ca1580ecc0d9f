"""Row locks of accounts, in one place."""

from accounts.models import User


def user_lock(*, user_id: int) -> User:
    """The user's row, locked until the end of the transaction (account
    deletion holds it while every app erases its part)."""
    return User.objects.select_for_update().get(pk=user_id)
