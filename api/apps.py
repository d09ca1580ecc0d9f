from typing import Any

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset, password_set
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        # A new password, or an account deleted or switched off, ends every
        # token of the person: whoever knew the old password may have made
        # one. Changing and resetting the password is accounts' (allauth's)
        # business; what it means for tokens is ours, so the reaction lives
        # here and calls one function (api.tokens.access_tokens_revoke_all).
        for signal in (password_changed, password_reset, password_set):
            signal.connect(_revoke_tokens, dispatch_uid=f"api_tokens_revoke_{id(signal)}")
        # The password set elsewhere (the admin's form, ``changepassword``),
        # and an account deactivated or deleted (accounts.services.user_delete
        # keeps the row, anonymised and inactive): the user's own save.
        post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="api_tokens_user_saved")


def _revoke_tokens(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    from api.tokens import access_tokens_revoke_all

    if user is not None and user.pk:
        access_tokens_revoke_all(user=user)


def _user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from api.tokens import access_tokens_revoke_all

    if created:
        return
    # set_password() keeps the new raw password on ``_password`` until the
    # save has run (for the validators' password_changed hook): it was changed now.
    if not instance.is_active or getattr(instance, "_password", None) is not None:
        access_tokens_revoke_all(user=instance)
