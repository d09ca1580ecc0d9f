"""The shared rows the demo products point at: the category tree, brands,
tags and pictures, found or created once per run."""

from dataclasses import dataclass

from django.utils.text import slugify

from catalog.models import Brand, Category, Tag
from catalog.seeding.images import IMAGE_COUNT, DemoImage, image_ensure
from catalog.seeding.result import DemoSeedResult
from catalog.seeding.vocabulary import BRANDS, TAGS, TREE, Kind, TreeNode
from catalog.services import category_save


@dataclass
class Reference:
    """The shared rows products point at: leaf categories (with their kind
    and ancestors), brands, tags and the images."""

    leaves: list[tuple[Category, Kind, list[int]]]
    brands: list[Brand]
    tags: list[Tag]
    images: list[DemoImage]


def reference_rows_ensure(*, result: DemoSeedResult) -> Reference:
    """The shared rows, created where missing (and counted in ``result``)."""
    leaves: list[tuple[Category, Kind, list[int]]] = []

    def walk(tree: dict[str, TreeNode], parent: Category | None) -> None:
        for position, (name, node) in enumerate(tree.items()):
            category = _category_ensure(name=name, parent=parent, position=position, result=result)
            if isinstance(node, Kind):
                ancestors = [int(pk) for pk in category.path.strip("/").split("/")]
                leaves.append((category, node, ancestors))
            else:
                walk(node, category)

    walk(TREE, None)
    brands = []
    for name in BRANDS:
        brand, created = Brand.objects.get_or_create(
            name=name, defaults={"slug": slugify(name), "description": f"{name} makes things to keep."}
        )
        brands.append(brand)
        result.brands_created += created
    tags = []
    for name in TAGS:
        tag, created = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
        tags.append(tag)
        result.tags_created += created
    images = [image_ensure(index=n, result=result) for n in range(IMAGE_COUNT)]
    return Reference(leaves=leaves, brands=brands, tags=tags, images=images)


def _category_ensure(
    *, name: str, parent: Category | None, position: int, result: DemoSeedResult
) -> Category:
    slug = slugify(name) if parent is None else f"{parent.slug}-{slugify(name)}"
    existing = Category.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    result.categories_created += 1
    return category_save(
        category=Category(
            name=name,
            slug=slug,
            parent=parent,
            position=position,
            is_featured=parent is None and position < 6,
            description=f"Everything in {name.lower()}, chosen for quality and fair prices.",
        )
    )
