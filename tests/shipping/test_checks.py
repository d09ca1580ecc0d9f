"""The system check of the shipping settings."""

from shipping.checks import shipping_carriers_check


def test_an_unknown_carrier_name_is_a_system_check_warning(settings):
    settings.SHIPPING_CARRIERS = ["table", "easypots"]

    [warning] = shipping_carriers_check(None)
    assert warning.id == "shipping.W001"
    assert "'easypots'" in warning.msg
