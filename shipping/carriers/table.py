"""The ``table`` carrier: the zones, methods and rate bands kept in the
admin. No network; it is the fallback whenever a live carrier fails."""

from decimal import Decimal

from shipping import rates, selectors
from shipping.carriers.base import Carrier
from shipping.quotes import Destination, Parcel, ShippingOption


class TableCarrier(Carrier):
    name = "table"

    def rates(
        self, *, destination: Destination, parcel: Parcel, order_value: Decimal
    ) -> list[ShippingOption]:
        """The active methods of the destination's zone that apply to this
        parcel and order value, cheapest first (empty when no zone covers it)."""
        zone = selectors.zone_for_destination(
            country_code=destination.country_code, postal_code=destination.postal_code, with_methods=True
        )
        if zone is None:
            return []
        options = []
        for method in zone.methods.all():
            price = rates.method_price(
                method, weight_grams=parcel.weight_grams, order_value=order_value, bands=method.bands.all()
            )
            if price is None:
                continue
            options.append(
                ShippingOption(
                    id=f"{self.name}:{method.pk}",
                    carrier=self.name,
                    service=str(method.pk),
                    name=method.name,
                    price=price,
                    delivery_estimate=method.delivery_estimate,
                    tax_class=method.tax_class,
                )
            )
        return options
