"""allauth adapters: where the shop's rules meet allauth's flows."""

import base64
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

from shop.outbox import outbound_email_queue


class AccountAdapter(DefaultAccountAdapter):
    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """allauth's emails in the order emails' layout (``shop/email/base``),
        signed with the shop's name, in text and HTML. allauth's templates are
        text only: the HTML shows the same content, its links made clickable."""
        context = {**context, "shop_name": settings.SHOP_NAME}
        message = super().render_mail(template_prefix, email, context, headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            content = render_to_string(
                f"{template_prefix}_message.txt",
                {**context, "email_layout": "account/email/content_only.txt"},
                allauth_context.request,
            )
            headline = str(message.subject).removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
            html = render_to_string(
                "account/email/message.html",
                {"headline": headline, "content": content.strip(), "shop_name": settings.SHOP_NAME},
            )
            message.attach_alternative(html, "text/html")
        return message

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (verification, password reset, security notices)
        go through the outbox: a mail server that is down delays them and is
        retried, instead of failing the sign-up or reset page with a 500."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, ctx)
        outbound_email_queue(message=message, purpose=template_prefix.rsplit("/", 1)[-1])


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
