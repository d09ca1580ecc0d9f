"""Marketing email by double opt-in, and saving the preferences page (which
may start one).

Asking for marketing email owes a ``marketing.confirm`` email with a signed
link that expires (``notifications.tokens``); only following it switches
marketing on for the address, and a welcome (the first marketing email, with
its unsubscribe link) follows. At most one confirmation a day goes to an
address, however often it is asked for: the occasion is the address and the day.
"""

from collections.abc import Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import preferences
from notifications.kinds import Group
from notifications.models import Channel
from notifications.services import notification_queue
from notifications.tokens import confirm_token, confirm_token_read
from shop.sites import shop_url


@transaction.atomic
def marketing_optin_request(*, email: str) -> bool:
    """Ask ``email`` to confirm it wants marketing email; False when it
    has it already (nothing is sent)."""
    address = preferences.email_normalize(email)
    if preferences.email_chosen(group=Group.MARKETING, email=address):
        return False
    token = confirm_token(email=address, group=Group.MARKETING)
    confirm_url = shop_url(reverse("notification_preferences:confirm", kwargs={"token": token}))
    notification_queue(
        kind="marketing.confirm",
        key=f"{address}:{timezone.now():%Y-%m-%d}",
        context={"confirm_url": confirm_url},
        email=address,
    )
    return True


@transaction.atomic
def marketing_optin_confirm(*, token: str) -> str:
    """Switch marketing email on for the address the link was sent to and
    return it. Raises ``notifications.tokens.BadToken`` (or its
    ``TokenExpired``) for a link tampered with or too old."""
    confirm = confirm_token_read(token)
    if preferences.email_chosen(group=confirm.group, email=confirm.email):
        return confirm.email  # followed twice: nothing more
    preferences.email_preference_set(
        email=confirm.email, group=confirm.group, enabled=True, source="double opt-in", confirmed=True
    )
    notification_queue(
        kind="marketing.welcome",
        key=f"{confirm.email}:{timezone.now().isoformat()}",
        context={},
        email=confirm.email,
    )
    return confirm.email


@transaction.atomic
def preferences_save(*, user: AbstractBaseUser, choices: Mapping[tuple[str, str], bool]) -> bool:
    """Save the preferences page: each choosable group and channel on or
    off (absent is off, as an unticked box). Switching marketing email on
    asks the account's address to confirm it first. Returns whether a
    confirmation was sent. A transactional group in ``choices`` raises
    ``preferences.NotChoosable``."""
    for group, _channel in choices:
        if group not in preferences.CHOOSABLE:
            raise preferences.NotChoosable(f"{group!r} messages cannot be switched on or off")
    email = preferences.user_email(user)
    confirmation_sent = False
    for (group, channel), enabled in preferences.preferences_for(user=user).items():
        wanted = bool(choices.get((group, channel), False))
        if wanted == enabled:
            continue
        if channel == Channel.SITE:
            preferences.site_preference_set(user=user, group=group, enabled=wanted, source="preferences page")
        elif wanted and group == Group.MARKETING:
            confirmation_sent = marketing_optin_request(email=email)
        elif email:
            preferences.email_preference_set(
                email=email, group=group, enabled=wanted, source="preferences page"
            )
    return confirmation_sent
