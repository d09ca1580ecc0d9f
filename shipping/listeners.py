"""Who hears about a shipment's tracking: a registry, so that a higher layer
(orders) can move its orders on a carrier's news without shipping importing it.

``orders`` registers a callback in its ``AppConfig.ready``::

    shipment_listeners_register(order_shipment_changed)

Each callback is called with the Shipment (freshly loaded) after the
transaction that changed its status has committed, whatever path changed it
(a carrier webhook, a poll, a refresh). Each runs on its own (``robust``: one
that raises is logged and does not undo the tracking, which is the carrier's
truth), so a callback must be idempotent and check its own state.
"""

from collections.abc import Callable

from shipping.models import Shipment
from shop.listeners import AfterCommitListeners

type ShipmentListener = Callable[[Shipment], None]

_listeners = AfterCommitListeners(Shipment)


def shipment_listeners_register(callback: ShipmentListener) -> None:
    """Call ``callback(shipment)`` after each change of a shipment's status."""
    _listeners.register(callback)


def shipment_listeners_unregister(callback: ShipmentListener) -> None:
    _listeners.unregister(callback)


def shipment_listeners_notify(*, shipment: Shipment) -> None:
    """Schedule the callbacks for after commit (the caller saw the status change)."""
    _listeners.notify(shipment)
