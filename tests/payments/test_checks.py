"""The system check of the payment settings: Stripe without its keys, or with
keys of the wrong kind, is a startup error."""

import pytest

from payments.checks import payment_settings_check


def _ids(settings) -> list[str | None]:
    return [error.id for error in payment_settings_check()]


def test_the_test_gateway_needs_nothing(settings):
    settings.PAYMENT_GATEWAY = "test"

    assert _ids(settings) == []


def test_stripe_without_keys_is_an_error_per_missing_key(settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""

    errors = payment_settings_check()

    assert [error.id for error in errors] == ["payments.E003"] * 3
    assert errors[0].msg == "PAYMENT_GATEWAY is stripe but STRIPE_SECRET_KEY is not set."


def test_stripe_keys_of_the_wrong_kind_are_errors(settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "pk_live_oops"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_abc"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_abc"

    assert _ids(settings) == ["payments.E004"]
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert _ids(settings) == []


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [("PAYMENT_GATEWAY", "paypal", "payments.E001"), ("PAYMENT_CAPTURE", "later", "payments.E002")],
)
def test_unknown_gateway_or_capture_mode_is_an_error(settings, name, value, error):
    setattr(settings, name, value)

    assert _ids(settings) == [error]


@pytest.mark.django_db  # on SQLite, `check` looks at the database too
def test_the_check_runs_with_django_checks(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(SystemCheckError, match="STRIPE_SECRET_KEY is not set"):
        call_command("check")
