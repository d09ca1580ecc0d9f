"""allauth adapters: where the shop's rules meet allauth's flows."""

import base64
import secrets
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from notifications.kinds import allauth_kind
from notifications.services import notification_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (verification, password reset, security notices)
        go through the outbox, rendered in the shop's layout
        (``notifications.rendering``): a mail server that is down delays them
        and is retried, instead of failing the sign-up or reset page with a
        500. Each sending is its own occasion (a second "resend" sends again)."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        notification_queue(
            kind=allauth_kind(template_prefix).name,
            key=f"{template_prefix}:{secrets.token_urlsafe(16)}",
            context=ctx,
            email=email,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None) -> list[SocialApp]:
        """Keys from the environment win over a Social application row for the
        same provider: allauth would otherwise find two apps and fail."""
        apps: list[SocialApp] = super().list_apps(request, provider=provider, client_id=client_id)
        from_settings = {app.provider for app in apps if app.pk is None}
        return [app for app in apps if app.pk is None or app.provider not in from_settings]


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (Fernet), so
    a copy of the database alone cannot pass anyone's second factor. The key
    is ``MFA_ENCRYPTION_KEY`` or, when unset, derived from ``SECRET_KEY``."""

    def _fernet(self) -> Fernet:
        key = settings.MFA_ENCRYPTION_KEY
        if not key:
            digest = salted_hmac("accounts.mfa", "encryption-key", algorithm="sha256").digest()
            key = base64.urlsafe_b64encode(digest).decode()
        return Fernet(key)

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return self._fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            raise ValueError("An MFA secret could not be decrypted: was the key changed?") from None
