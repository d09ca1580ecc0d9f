"""What a run of the demo seeding reports: the rows it created, and how long it took."""

from dataclasses import dataclass


@dataclass
class DemoSeedResult:
    categories_created: int = 0
    brands_created: int = 0
    tags_created: int = 0
    images_created: int = 0
    products_created: int = 0
    products_existing: int = 0
    variants_created: int = 0
    seconds: float = 0.0
