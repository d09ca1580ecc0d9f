"""The shipments' admin with the action that asks carriers where parcels are.

Shipping's own ``ShipmentAdmin`` shows shipments and buys labels; refreshing
the tracking may deliver an order, which is the orders' reaction, so the
action lives here and goes through ``order_shipment_tracking_refresh``. This
module registers the extended admin in place of shipping's."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.lifecycle.fulfilment import order_shipment_tracking_refresh
from shipping.admin import ShipmentAdmin
from shipping.models import Shipment

admin.site.unregister(Shipment)


@admin.register(Shipment)
class OrderShipmentAdmin(ShipmentAdmin):
    actions = ("refresh_tracking", *ShipmentAdmin.actions)

    @admin.action(description=_("Refresh tracking from the carrier"), permissions=["change"])
    def refresh_tracking(self, request: HttpRequest, queryset: QuerySet[Shipment]) -> None:
        changed = sum(
            order_shipment_tracking_refresh(shipment_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%(n)d shipment changed status.", "%(n)d shipments changed status.", changed)
            % {"n": changed},
        )
