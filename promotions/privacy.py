"""Promotions' part of "Download my data" and "Delete my account"
(registered with ``accounts.privacy`` in ``PromotionsConfig.ready()``).

Redemptions stay when an account is deleted: the orders that used the codes
refer to them, and usage counts must stay true. What is personal goes: the
email is blanked here; the user link points at the anonymised user row (and
is set to NULL should that row ever be deleted).
"""

from typing import Any

from django.db.models import Q

from accounts.models import User
from promotions.models import Redemption
from promotions.selectors import user_redemptions


def redemptions_export(user: User) -> list[dict[str, Any]]:
    return [
        {
            "code": redemption.code.code,
            "order": redemption.order_reference,
            "amount": str(redemption.amount),
            "email": redemption.email,
            "redeemed_at": redemption.created_at.isoformat(),
        }
        for redemption in user_redemptions(user_id=user.pk)
    ]


def redemptions_erase(user: User) -> None:
    """Blank the email of the user's redemptions and of the guest ones made
    with the account's email (stored lower-cased)."""
    Redemption.objects.filter(Q(user=user) | Q(email=user.email.lower())).update(email="")
