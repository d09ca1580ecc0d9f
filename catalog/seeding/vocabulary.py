"""The words, colours and prices the demo catalog is made of."""

from dataclasses import dataclass

SIZES_APPAREL = ("XS", "S", "M", "L", "XL", "XXL")
SIZES_SHOES = ("38", "39", "40", "41", "42", "43", "44", "45")
SIZES_COOKWARE = ("20 cm", "24 cm", "28 cm")
COLOURS = (
    ("Black", (34, 34, 38)),
    ("White", (236, 234, 228)),
    ("Navy", (31, 48, 94)),
    ("Red", (190, 42, 48)),
    ("Forest Green", (38, 96, 62)),
    ("Sand", (214, 190, 150)),
    ("Grey", (128, 130, 136)),
    ("Ochre", (204, 150, 40)),
    ("Sky Blue", (110, 170, 220)),
    ("Plum", (112, 52, 96)),
)


@dataclass(frozen=True)
class Kind:
    """What the products of a leaf category are like."""

    nouns: tuple[str, ...]
    materials: tuple[str, ...]
    options: str  # "apparel", "shoes", "colour", "cookware" or "none"
    price: tuple[int, int]  # whole euros
    weight: tuple[int, int]  # grams


APPAREL = ("Merino Wool", "Organic Cotton", "Linen", "Recycled Polyester", "Cashmere", "Denim", "Fleece")
OUTDOOR = ("Ripstop Nylon", "Recycled Polyester", "Aluminium", "Canvas", "Down")
# The tree: top level > second level (> third level), each leaf with its kind.
type TreeNode = Kind | dict[str, TreeNode]
TREE: dict[str, TreeNode] = {
    "Clothing": {
        "Jackets": Kind(
            ("Jacket", "Parka", "Raincoat", "Windbreaker"),
            OUTDOOR + APPAREL[:2],
            "apparel",
            (59, 249),
            (400, 1400),
        ),
        "Sweaters": Kind(
            ("Sweater", "Cardigan", "Hoodie", "Pullover"), APPAREL, "apparel", (39, 159), (300, 700)
        ),
        "T-Shirts": Kind(
            ("T-Shirt", "Tee", "Polo Shirt", "Tank Top"), APPAREL[:4], "apparel", (12, 49), (120, 250)
        ),
        "Trousers": {
            "Jeans": Kind(
                ("Jeans", "Slim Jeans", "Straight Jeans"),
                ("Denim", "Stretch Denim", "Selvedge Denim"),
                "apparel",
                (49, 149),
                (500, 900),
            ),
            "Chinos": Kind(
                ("Chinos", "Trousers", "Cargo Pants"),
                ("Organic Cotton", "Twill", "Linen"),
                "apparel",
                (39, 119),
                (400, 700),
            ),
        },
    },
    "Shoes": {
        "Sneakers": Kind(
            ("Sneakers", "Running Shoes", "Trainers"),
            ("Mesh", "Leather", "Suede", "Canvas"),
            "shoes",
            (49, 189),
            (600, 1100),
        ),
        "Boots": Kind(
            ("Boots", "Chelsea Boots", "Hiking Boots"),
            ("Leather", "Suede", "Waxed Leather"),
            "shoes",
            (89, 279),
            (900, 1800),
        ),
        "Sandals": Kind(
            ("Sandals", "Slides", "Flip-Flops"), ("Cork", "Leather", "Rubber"), "shoes", (19, 99), (200, 600)
        ),
    },
    "Home & Kitchen": {
        "Cookware": {
            "Pans": Kind(
                ("Frying Pan", "Skillet", "Wok", "Saute Pan"),
                ("Cast Iron", "Carbon Steel", "Stainless Steel"),
                "cookware",
                (29, 189),
                (900, 3200),
            ),
            "Pots": Kind(
                ("Stock Pot", "Casserole", "Saucepan", "Dutch Oven"),
                ("Enamelled Cast Iron", "Stainless Steel", "Copper"),
                "cookware",
                (39, 299),
                (1200, 5200),
            ),
        },
        "Tableware": Kind(
            ("Plate Set", "Bowl", "Mug", "Serving Platter", "Teapot"),
            ("Stoneware", "Porcelain", "Glass"),
            "colour",
            (9, 89),
            (200, 2400),
        ),
        "Bedding": Kind(
            ("Duvet Cover", "Pillowcase", "Fitted Sheet", "Throw Blanket"),
            ("Linen", "Percale Cotton", "Sateen", "Wool"),
            "colour",
            (19, 179),
            (300, 2000),
        ),
    },
    "Electronics": {
        "Headphones": Kind(
            ("Headphones", "Earbuds", "Headset"),
            ("Wireless", "Noise-Cancelling", "Studio"),
            "colour",
            (29, 399),
            (40, 350),
        ),
        "Speakers": Kind(
            ("Speaker", "Soundbar", "Portable Speaker"),
            ("Bluetooth", "Wi-Fi", "Waterproof"),
            "colour",
            (39, 499),
            (300, 4500),
        ),
        "Chargers": Kind(
            ("Charger", "Power Bank", "Charging Cable", "Wireless Charger"),
            ("USB-C", "Fast", "Compact"),
            "none",
            (9, 89),
            (30, 400),
        ),
    },
    "Sports & Outdoors": {
        "Camping": {
            "Tents": Kind(
                ("Tent", "Tarp", "Shelter"),
                ("Ultralight", "Ripstop Nylon", "Canvas"),
                "none",
                (79, 599),
                (900, 4500),
            ),
            "Sleeping Bags": Kind(
                ("Sleeping Bag", "Quilt", "Sleeping Mat"),
                ("Down", "Synthetic", "Merino Wool"),
                "colour",
                (49, 349),
                (500, 2000),
            ),
        },
        "Cycling": Kind(
            ("Bike Helmet", "Cycling Gloves", "Bike Light", "Saddle Bag"),
            ("Reflective", "Carbon", "Aluminium"),
            "colour",
            (15, 199),
            (80, 600),
        ),
        "Yoga": Kind(
            ("Yoga Mat", "Yoga Block", "Yoga Strap"),
            ("Natural Rubber", "Cork", "Organic Cotton"),
            "colour",
            (12, 119),
            (200, 2500),
        ),
    },
    "Beauty": {
        "Skincare": Kind(
            ("Face Cream", "Cleanser", "Serum", "Lip Balm"),
            ("Organic", "Unscented", "Hydrating"),
            "none",
            (7, 69),
            (50, 300),
        ),
        "Fragrance": Kind(
            ("Eau de Parfum", "Eau de Toilette", "Scented Candle"),
            ("Cedar", "Citrus", "Vetiver", "Rose"),
            "none",
            (19, 149),
            (150, 600),
        ),
    },
    "Toys & Games": {
        "Board Games": Kind(
            ("Board Game", "Card Game", "Strategy Game"),
            ("Family", "Cooperative", "Travel"),
            "none",
            (14, 79),
            (300, 2200),
        ),
        "Puzzles": Kind(
            ("Jigsaw Puzzle", "Wooden Puzzle", "3D Puzzle"),
            ("1000-Piece", "500-Piece", "Wooden"),
            "none",
            (9, 49),
            (300, 1200),
        ),
    },
    "Office": {
        "Notebooks": Kind(
            ("Notebook", "Journal", "Sketchbook", "Planner"),
            ("Dotted", "Lined", "Recycled Paper"),
            "colour",
            (5, 39),
            (150, 600),
        ),
        "Bags": Kind(
            ("Backpack", "Laptop Sleeve", "Messenger Bag", "Tote Bag"),
            ("Waxed Canvas", "Leather", "Recycled Polyester"),
            "colour",
            (19, 229),
            (300, 1600),
        ),
    },
}

ADJECTIVES = (
    "Classic", "Alpine", "Coastal", "Urban", "Nordic", "Everyday", "Heritage", "Summit", "Harbour",
    "Meadow", "Voyager", "Essential", "Highland", "Rover", "Aurora", "Cascade", "Ember", "Glacier",
    "Horizon", "Juniper", "Lumen", "Maple", "Nomad", "Orbit", "Pioneer", "Quartz", "Ridge", "Sierra",
    "Tundra", "Vista", "Willow", "Zephyr", "Atlas", "Boreal", "Canyon", "Drift", "Fjord", "Granite",
)  # fmt: skip
BRANDS = (
    "Northwind", "Alder & Co", "Bright Harbour", "Copperleaf", "Driftwood Goods", "Evergreen Supply",
    "Fernhill", "Greystone", "Hearth & Home", "Ironbark", "Juniper Lane", "Kestrel", "Lakeside",
    "Moorland", "Nightjar", "Oakmoss", "Pinecrest", "Quayside", "Redwood Works", "Saltmarsh",
    "Thistle", "Upland", "Vantage", "Westerly", "Yarrow", "Zenith Audio", "Bluebell Kitchen",
    "Cobalt Sports", "Dune Outfitters", "Elmwood Paper",
)  # fmt: skip
TAGS = (
    "new", "bestseller", "eco-friendly", "gift idea", "limited edition", "organic", "vegan",
    "handmade", "waterproof", "lightweight", "made in europe", "recycled", "sale", "classic",
    "travel", "kids", "premium", "everyday",
)  # fmt: skip
ORIGINS = ("Portugal", "Italy", "Germany", "Poland", "Denmark", "Vietnam", "Japan", "Sweden", "Spain")
INTROS = (
    "The {title} is made for everyday use and built to last for years.",
    "Meet the {title}: thoughtfully designed, honestly made and fairly priced.",
    "Our {title} combines careful craftsmanship with materials chosen to age well.",
    "A favourite of our customers, the {title} does one job and does it beautifully.",
    "The {title} is our answer to throwaway products: repairable, durable, timeless.",
)
HIGHLIGHTS = (
    "Responsibly sourced materials",
    "Two-year warranty",
    "Free returns within 30 days",
    "Designed in Europe",
    "Tested by our own team for a full season",
    "Plastic-free packaging",
    "Spare parts available",
    "Certified by independent labs",
)
CLOSINGS = (
    "Care: follow the instructions on the label. *Small variations in colour are part of its character.*",
    "Questions about sizing or use? Our support team answers within one working day.",
    "Every order ships in recycled packaging, usually within **two working days**.",
    "See the specifications below for dimensions and materials.",
)
