"""Shipping factories: zones, methods with their bands, shipments."""

from decimal import Decimal

import factory

from shipping.models import RateBand, Shipment, ShippingMethod, ShippingZone


class ShippingZoneFactory(factory.django.DjangoModelFactory[ShippingZone]):
    class Meta:
        model = ShippingZone

    name = factory.Sequence(lambda n: f"Zone {n}")
    countries = "DE"
    position = factory.Sequence(lambda n: n)


class ShippingMethodFactory(factory.django.DjangoModelFactory[ShippingMethod]):
    """``ShippingMethodFactory.create(kind=..., bands=[("0", "1000", "4.90"), ("1000", None, "6.90")])``"""

    class Meta:
        model = ShippingMethod
        skip_postgeneration_save = True

    zone = factory.SubFactory(ShippingZoneFactory)
    name = factory.Sequence(lambda n: f"Method {n}")
    kind = ShippingMethod.Kind.FLAT
    price = Decimal("4.90")
    delivery_estimate = "2-4 business days"

    @factory.post_generation
    def bands(
        self: ShippingMethod, create: bool, extracted: list[tuple[str, str | None, str]] | None
    ) -> None:
        if create and extracted:
            RateBand.objects.bulk_create(
                RateBand(
                    method=self,
                    from_value=Decimal(low),
                    below_value=None if high is None else Decimal(high),
                    price=Decimal(price),
                )
                for low, high, price in extracted
            )


class ShipmentFactory(factory.django.DjangoModelFactory[Shipment]):
    class Meta:
        model = Shipment

    reference = factory.Sequence(lambda n: f"10{n:04d}")
    carrier = "easypost"
    service = "USPS:Priority"
    tracking_number = factory.Sequence(lambda n: f"94055000000000{n:06d}")
