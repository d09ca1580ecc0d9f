"""Every row lock of the shipping app, taken here and in primary-key order."""

from shipping.models import Shipment


def shipment_lock(*, shipment_id: int) -> Shipment:
    """The shipment, locked until the transaction ends (tracking updates from
    a webhook and a poll then apply one after the other)."""
    return Shipment.objects.select_for_update().get(pk=shipment_id)
