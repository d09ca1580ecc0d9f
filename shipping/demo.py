"""Demo shipping rates for ``make run``: Germany, the EU, the US and the
rest of the world, with each kind of method. Idempotent: zones and methods
are found by name and left as they are when they exist."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from catalog.taxes import TaxClass
from shipping.models import RateBand, ShippingMethod, ShippingZone
from shop.money import ZERO

EU_WITHOUT_DE = "AT,BE,BG,CY,CZ,DK,EE,ES,FI,FR,GR,HR,HU,IE,IT,LT,LU,LV,MT,NL,PL,PT,RO,SE,SI,SK"

Kind = ShippingMethod.Kind
D = Decimal


@dataclass(frozen=True)
class DemoMethod:
    name: str
    kind: str
    estimate: str
    price: Decimal = ZERO
    free_from: Decimal | None = None
    # (from, below, price); below None: no upper limit
    bands: tuple[tuple[Decimal, Decimal | None, Decimal], ...] = ()


@dataclass(frozen=True)
class DemoZone:
    name: str
    countries: str
    position: int
    methods: tuple[DemoMethod, ...]
    rest_of_world: bool = False


DEMO_ZONES = (
    DemoZone(
        "Germany",
        "DE",
        10,
        (
            DemoMethod("Standard", Kind.FREE_OVER, "2-4 business days", D("4.90"), D("50.00")),
            DemoMethod(
                "Express",
                Kind.WEIGHT_BANDS,
                "1 business day",
                bands=(
                    (D(0), D(2000), D("9.90")),
                    (D(2000), D(5000), D("12.90")),
                    (D(5000), D(31500), D("16.90")),
                ),
            ),
        ),
    ),
    DemoZone(
        "European Union",
        EU_WITHOUT_DE,
        20,
        (
            DemoMethod(
                "EU Standard",
                Kind.WEIGHT_BANDS,
                "4-7 business days",
                bands=(
                    (D(0), D(2000), D("9.90")),
                    (D(2000), D(5000), D("14.90")),
                    (D(5000), D(20000), D("24.90")),
                ),
            ),
            DemoMethod(
                "EU Economy",
                Kind.VALUE_BANDS,
                "6-10 business days",
                bands=((D(0), D(50), D("12.90")), (D(50), D(100), D("6.90")), (D(100), None, D("0.00"))),
            ),
        ),
    ),
    DemoZone(
        "United States",
        "US",
        30,
        (DemoMethod("International Priority", Kind.FLAT, "6-10 business days", D("29.90")),),
    ),
    DemoZone(
        "Rest of world",
        "",
        100,
        (DemoMethod("International", Kind.FLAT, "7-21 business days", D("39.90")),),
        rest_of_world=True,
    ),
)


@dataclass(frozen=True)
class DemoResult:
    zones_created: int
    methods_created: int


@transaction.atomic
def shipping_demo_seed() -> DemoResult:
    zones_created = methods_created = 0
    for demo_zone in DEMO_ZONES:
        zone, created = ShippingZone.objects.get_or_create(
            name=demo_zone.name,
            defaults={
                "countries": demo_zone.countries,
                "rest_of_world": demo_zone.rest_of_world,
                "position": demo_zone.position,
            },
        )
        zones_created += created
        for position, demo in enumerate(demo_zone.methods):
            method, created = ShippingMethod.objects.get_or_create(
                zone=zone,
                name=demo.name,
                defaults={
                    "kind": demo.kind,
                    "price": demo.price,
                    "free_from": demo.free_from,
                    "delivery_estimate": demo.estimate,
                    "tax_class": TaxClass.STANDARD,
                    "position": position,
                },
            )
            if created:
                methods_created += 1
                RateBand.objects.bulk_create(
                    RateBand(method=method, from_value=low, below_value=high, price=price)
                    for low, high, price in demo.bands
                )
    return DemoResult(zones_created=zones_created, methods_created=methods_created)
