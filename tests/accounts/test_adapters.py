import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site

from accounts.adapters import MFAAdapter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_totp_secrets_are_stored_encrypted_and_still_work():
    user = UserFactory.create()
    secret = generate_totp_secret()

    totp = TOTP.activate(user, secret)

    stored = Authenticator.objects.get(pk=totp.instance.pk).data["secret"]
    assert secret not in stored
    assert MFAAdapter().decrypt(stored) == secret
    assert TOTP(totp.instance).validate_code(_current_code(secret)) is True


def test_recovery_code_seeds_are_stored_encrypted():
    user = UserFactory.create()

    codes = RecoveryCodes.activate(user)

    data = Authenticator.objects.get(pk=codes.instance.pk).data
    code = codes.get_unused_codes()[0]
    assert code not in str(data)
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(code) is True


def test_secrets_need_the_same_key_to_be_read(settings):
    settings.MFA_ENCRYPTION_KEY = "2-zJ8Tqkzq2f5bJmB8mC5sZL3Kqq3NU1gQ0L6m2C9Wg="
    stored = MFAAdapter().encrypt("JBSWY3DPEHPK3PXP")
    settings.MFA_ENCRYPTION_KEY = ""

    with pytest.raises(ValueError, match="could not be decrypted"):
        MFAAdapter().decrypt(stored)


def test_environment_keys_win_over_an_admin_app_for_the_same_provider(client, settings):
    providers = {**settings.SOCIALACCOUNT_PROVIDERS}
    providers["github"] = {**providers["github"], "APPS": [{"client_id": "from-env", "secret": "s"}]}
    settings.SOCIALACCOUNT_PROVIDERS = providers
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="from-admin", secret="t")
    app.sites.add(Site.objects.get_current())

    response = client.post("/accounts/github/login/")

    assert response.status_code == 302
    assert "client_id=from-env" in response["Location"]


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))
