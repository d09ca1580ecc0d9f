"""The words and tables of the demo history: names, addresses, shipping,
tax, promo codes, return reasons and campaign sources."""

from typing import NamedTuple

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jonas", "Julia", "Karl", "Lena",
    "Lukas", "Maria", "Max", "Mia", "Noah", "Paul", "Sophie", "Tom", "Lea", "Finn", "Marie", "Elias",
    "Camille", "Lucas", "Sanne", "Daan", "Olivia", "James", "Emily", "Jack", "Sarah", "Michael",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Huber", "Gruber", "Martin",
    "Bernard", "de Jong", "Jansen", "Smith", "Jones", "Taylor", "Brown", "Johnson", "Miller",
)  # fmt: skip
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Goethestraße",
    "Kirchplatz", "Am Markt", "Rosenweg", "Bergstraße",
)  # fmt: skip


class Country(NamedTuple):
    code: str
    weight: float
    # (city, postal code, region): a few real places per country.
    places: tuple[tuple[str, str, str], ...]
    street_names: tuple[str, ...] = STREETS


COUNTRIES = (
    Country("DE", 60, (("Berlin", "10115", ""), ("Hamburg", "20095", ""), ("München", "80331", ""),
                       ("Köln", "50667", ""), ("Leipzig", "04109", ""), ("Freiburg", "79098", ""))),
    Country("AT", 10, (("Wien", "1010", ""), ("Graz", "8010", ""), ("Salzburg", "5020", ""))),
    Country("FR", 7, (("Paris", "75001", ""), ("Lyon", "69001", ""), ("Strasbourg", "67000", "")),
            ("Rue de la Paix", "Avenue Victor Hugo", "Rue du Marché")),
    Country("NL", 7, (("Amsterdam", "1011 AB", ""), ("Utrecht", "3511 AA", ""), ("Rotterdam", "3011 AA", "")),
            ("Kerkstraat", "Dorpsstraat", "Molenweg")),
    Country("GB", 5, (("London", "SW1A 1AA", ""), ("Manchester", "M1 1AE", ""), ("Leeds", "LS1 1UR", "")),
            ("High Street", "Station Road", "Church Lane")),
    Country("US", 5, (("New York", "10001", "NY"), ("Los Angeles", "90012", "CA"), ("Austin", "78701", "TX"),
                      ("Seattle", "98101", "WA")),
            ("Main Street", "Oak Avenue", "Maple Drive")),
    Country("CH", 3, (("Zürich", "8001", ""), ("Bern", "3011", ""), ("Basel", "4051", ""))),
    Country("BE", 3, (("Bruxelles", "1000", ""), ("Antwerpen", "2000", ""), ("Gent", "9000", "")),
            ("Rue Neuve", "Kerkstraat", "Avenue Louise")),
)  # fmt: skip

# Standard tax rates in thousandths of a percent, as cart_tax_rate holds them
# for the demo (manage.py tax_rates_demo); a place without a rate pays none.
TAX_RATES = {("DE", ""): 19000, ("AT", ""): 20000, ("FR", ""): 20000, ("NL", ""): 21000,
             ("US", "NY"): 8875, ("US", "CA"): 7250}  # fmt: skip
EU = frozenset({"AT", "FR", "NL", "BE"})


class Method(NamedTuple):
    """A shipping method as ``ShippingOption.to_data`` snapshots it (the
    table rates of manage.py shipping_demo)."""

    service: str
    name: str
    cents: int
    delivery_estimate: str

    def data(self) -> dict[str, str]:
        return {
            "id": f"table:demo-{self.service}",
            "carrier": "table",
            "service": self.service,
            "name": self.name,
            "price": f"{self.cents // 100}.{self.cents % 100:02d}",
            "delivery_estimate": self.delivery_estimate,
            "tax_class": "standard",
        }


STANDARD = Method("standard", "Standard", 490, "2-4 business days")
STANDARD_FREE = Method("standard", "Standard", 0, "2-4 business days")  # free from 50.00
FREE_OVER_CENTS = 5000
EXPRESS = Method("express", "Express", 990, "1 business day")
EU_STANDARD = Method("eu-standard", "EU Standard", 990, "4-7 business days")
US_PRIORITY = Method("international-priority", "International Priority", 2990, "6-10 business days")
INTERNATIONAL = Method("international", "International", 3990, "7-21 business days")


class Code(NamedTuple):
    code: str
    kind: str  # promotions.values.OfferKind
    percent: int  # for "percent"
    label: str
    min_subtotal_cents: int = 0


WELCOME10 = Code("WELCOME10", "percent", 10, "WELCOME10: 10% off", 2000)
FREESHIP = Code("FREESHIP", "free_shipping", 0, "FREESHIP: Free shipping")
NEWSLETTER10 = Code("NEWSLETTER10", "percent", 10, "NEWSLETTER10: 10% off")
BLACKFRIDAY20 = Code("BLACKFRIDAY20", "percent", 20, "BLACKFRIDAY20: 20% off")
XMAS15 = Code("XMAS15", "percent", 15, "XMAS15: 15% off", 3000)
CODES = (WELCOME10, FREESHIP, NEWSLETTER10, BLACKFRIDAY20, XMAS15)

RETURN_REASONS = ("Too small", "Too large", "Not as pictured", "Arrived damaged", "Changed my mind")
RETURN_REASON_WEIGHTS = (26, 20, 18, 10, 26)
REFUND_REASONS = ("Late delivery: goodwill", "Item arrived damaged", "Price adjustment", "Missing item")

# utm_source of campaign visits, by how often they bring someone.
SOURCES = ("google", "newsletter", "instagram", "facebook", "pinterest", "tiktok", "idealo", "partner-blog")
SOURCE_WEIGHTS = (34, 22, 16, 12, 6, 5, 3, 2)

CARD_BRANDS = ("visa", "mastercard", "amex")
CARD_BRAND_WEIGHTS = (55, 38, 7)
