from typing import Any

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset, password_set

        # A new password, or an account deleted or switched off, ends every
        # token of the person: whoever knew the old password may have made
        # one. Changing and resetting the password is accounts' (allauth's)
        # business; what it means for tokens is ours, so the reaction lives
        # here and calls one function (api.tokens.access_tokens_revoke_all).
        for signal in (password_changed, password_reset, password_set):
            signal.connect(_revoke_tokens, dispatch_uid=f"api_tokens_revoke_{id(signal)}")
        # A password set anywhere else (the admin, changepassword) ends the
        # tokens as well: each is stamped with the password it was made under
        # (api/tokens.py), as Django's sessions are; an inactive account's
        # tokens never authenticate.


def _revoke_tokens(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    from api.tokens import access_tokens_revoke_all

    if user is not None and user.pk:
        access_tokens_revoke_all(user=user)
