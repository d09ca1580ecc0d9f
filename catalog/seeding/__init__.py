"""The demo catalog: a category tree, brands, tags and N realistic products
with options, variants, stock, specifications, Markdown descriptions and
images drawn with Pillow.

Everything is deterministic by product index: product ``i`` always has the
SKUs ``DEMO-<i>-<n>``, so seeding again with the same N adds nothing and a
larger N adds only the missing products. Rows are written with
``bulk_create`` in batches, one transaction per batch; the listing columns
are then recomputed set-based per batch, so 100,000 products take a couple
of minutes on PostgreSQL rather than hours.
"""

import html
import io
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFilter

from catalog.images import WEBP_QUALITY, rendition_widths
from catalog.models import (
    Brand,
    Category,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    ProductSpecification,
    StockMovement,
    Tag,
    Variant,
)
from catalog.search import search_vector_refresh
from catalog.seeding.vocabulary import (
    ADJECTIVES,
    BRANDS,
    CLOSINGS,
    COLOURS,
    HIGHLIGHTS,
    INTROS,
    ORIGINS,
    SIZES_APPAREL,
    SIZES_COOKWARE,
    SIZES_SHOES,
    TAGS,
    TREE,
    Kind,
    TreeNode,
)
from catalog.services import category_save, markdown_render
from shop.money import money_round

SKU_PREFIX = "DEMO-"
BATCH_SIZE = 1000
IMAGE_COUNT = 24
IMAGE_SIZE = 800
SEED_REFERENCE = "seed_demo"

type Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class DemoImage:
    name: str
    width: int
    height: int
    renditions: dict[str, str]
    colour: str


@dataclass
class _Reference:
    """The shared rows products point at: leaf categories (with their kind
    and ancestors), brands, tags and the images."""

    leaves: list[tuple[Category, Kind, list[int]]]
    brands: list[Brand]
    tags: list[Tag]
    images: list[DemoImage]


def demo_catalog_seed(*, products: int, seed: int = 1, progress: Progress | None = None) -> DemoSeedResult:
    """Make sure the demo catalog has products 1..``products``; create the
    missing ones. ``progress(done, total)`` is called after every batch."""
    if products < 0:
        raise ValueError("The number of products cannot be negative.")
    started = time.monotonic()
    result = DemoSeedResult()
    reference = _reference_rows_ensure(result=result)
    done = 0
    for start in range(1, products + 1, BATCH_SIZE):
        indices = range(start, min(start + BATCH_SIZE, products + 1))
        with transaction.atomic():
            existing = _existing_indices(indices)
            missing = [i for i in indices if i not in existing]
            result.products_existing += len(existing)
            if missing:
                created, variants = _products_create(indices=missing, seed=seed, reference=reference)
                result.products_created += created
                result.variants_created += variants
        done += len(indices)
        if progress is not None:
            progress(done, products)
    if result.products_created and connection.vendor == "postgresql":
        # Fresh planner statistics: without them PostgreSQL plans the pages'
        # queries for the empty tables it last saw, until autovacuum comes by.
        with connection.cursor() as cursor:
            for model in (Product, Variant, ProductImage, Product.categories.through, Product.tags.through):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


# --- The shared rows -----------------------------------------------------------


def _reference_rows_ensure(*, result: DemoSeedResult) -> _Reference:
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
    images = [_image_ensure(index=n, result=result) for n in range(IMAGE_COUNT)]
    return _Reference(leaves=leaves, brands=brands, tags=tags, images=images)


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


def _image_ensure(*, index: int, result: DemoSeedResult) -> DemoImage:
    """A product shot drawn with Pillow, saved once with its WebP renditions."""
    colour_name, rgb = COLOURS[index % len(COLOURS)]
    name = f"products/demo/demo-{index + 1:02d}.png"
    renditions = {
        str(width): f"products/demo/demo-{index + 1:02d}-{width}w.webp"
        for width in rendition_widths(IMAGE_SIZE)
    }
    if default_storage.exists(name) and all(default_storage.exists(n) for n in renditions.values()):
        return DemoImage(name, IMAGE_SIZE, IMAGE_SIZE, renditions, colour_name)
    image = _image_draw(index=index, rgb=rgb)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(buffer.getvalue()))
    for width, rendition_name in renditions.items():
        small = image.resize((int(width), int(width)), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        small.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
        if default_storage.exists(rendition_name):
            default_storage.delete(rendition_name)
        default_storage.save(rendition_name, ContentFile(buffer.getvalue()))
    result.images_created += 1
    return DemoImage(name, IMAGE_SIZE, IMAGE_SIZE, renditions, colour_name)


def _image_draw(*, index: int, rgb: tuple[int, int, int]) -> Image.Image:
    """A soft studio backdrop with one object in the product's colour and its shadow."""
    size = IMAGE_SIZE
    rng = random.Random(index)  # noqa: S311 - demo pictures, not secrets
    top = (246, 244, 240)
    bottom = (222, 218, 210) if index % 2 else (214, 222, 230)
    image = Image.new("RGB", (size, size), top)
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / size
        draw.line(
            [(0, y), (size, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    shadow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(shadow).ellipse((180, 640, 620, 700), fill=120)
    image.paste((90, 86, 80), mask=shadow.filter(ImageFilter.GaussianBlur(18)))
    draw = ImageDraw.Draw(image)
    dark = tuple(max(0, c - 50) for c in rgb)
    light = tuple(min(255, c + 45) for c in rgb)
    shape = index % 4
    if shape == 0:  # a garment: body and sleeves
        outline = [(250, 210), (330, 180), (470, 180), (550, 210), (640, 380), (580, 410), (540, 330),
                   (540, 640), (260, 640), (260, 330), (220, 410), (160, 380)]  # fmt: skip
        draw.polygon(outline, fill=rgb, outline=dark)
        draw.arc((350, 150, 450, 230), 0, 180, fill=dark, width=8)
    elif shape == 1:  # a bottle or jar
        draw.rounded_rectangle((290, 260, 510, 650), radius=50, fill=rgb, outline=dark, width=4)
        draw.rectangle((350, 180, 450, 260), fill=dark)
        draw.rounded_rectangle((320, 380, 480, 520), radius=12, fill=light)
    elif shape == 2:  # a box or book
        draw.polygon([(220, 300), (520, 240), (600, 320), (600, 620), (300, 680), (220, 600)], fill=rgb)
        draw.polygon([(220, 300), (520, 240), (600, 320), (300, 380)], fill=light)
        draw.line([(300, 380), (300, 680)], fill=dark, width=6)
    else:  # a round thing: a pan, a speaker, a ball
        draw.ellipse((230, 230, 570, 570 + rng.randint(0, 60)), fill=rgb, outline=dark, width=6)
        draw.ellipse((320, 320, 480, 480), fill=light)
    return image


# --- Products ------------------------------------------------------------------


def _first_sku(index: int) -> str:
    return f"{SKU_PREFIX}{index:06d}-1"


def _existing_indices(indices: Sequence[int]) -> set[int]:
    skus = Variant.objects.filter(sku__in=[_first_sku(i) for i in indices]).values_list("sku", flat=True)
    return {int(sku[len(SKU_PREFIX) :].split("-")[0]) for sku in skus}


def _barcode(index: int, n: int) -> str:
    """An EAN-13 in the in-store range (20-29), with its check digit."""
    digits = f"2{index:09d}{n:02d}"
    check = (10 - sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(digits)) % 10) % 10
    return f"{digits}{check}"


def _money(value: Decimal) -> Decimal:
    return money_round(value)


@cache
def _description(intro: int, highlights: tuple[int, ...], closing: int) -> tuple[str, str]:
    """Markdown and its rendered HTML with ``\\x00`` where the title goes:
    rendering once per template instead of once per product keeps 100,000
    products fast, and gives the same HTML as ``markdown_render``."""
    lines = [INTROS[intro].format(title="\x00"), "", "**Highlights**", ""]
    lines += [f"- {HIGHLIGHTS[n]}" for n in highlights]
    lines += ["", CLOSINGS[closing]]
    markdown = "\n".join(lines)
    rendered = markdown_render(markdown.replace("\x00", "TITLEPLACEHOLDER"))
    return markdown, rendered.replace("TITLEPLACEHOLDER", "\x00")


@dataclass(slots=True)
class _VariantPlan:
    sku: str
    barcode: str
    price: Decimal
    compare_at_price: Decimal | None
    stock: int
    combination: list[tuple[int, int]]  # (option index, value index)


@dataclass(slots=True)
class _Plan:
    """One product and its rows, before they have ids."""

    title: str
    slug: str
    description: str
    description_html: str
    brand_id: int
    seo_title: str
    seo_description: str
    is_active: bool
    is_featured: bool
    units_sold: int
    weight: int
    category_ids: list[int]
    tag_ids: list[int]
    options: list[tuple[str, list[str]]]
    variants: list[_VariantPlan]
    specifications: list[tuple[str, str]]
    images: list[tuple[DemoImage, int | None, str]]  # image, index of the variant it shows, alt text


def _product_plan(*, index: int, seed: int, reference: _Reference) -> _Plan:
    rng = random.Random(seed * 10_000_019 + index)  # noqa: S311 - demo data, not secrets
    _leaf, kind, ancestors = reference.leaves[rng.randrange(len(reference.leaves))]
    brand = reference.brands[rng.randrange(len(reference.brands))]
    material = rng.choice(kind.materials)
    title = f"{rng.choice(ADJECTIVES)} {material} {rng.choice(kind.nouns)}"
    intro = rng.randrange(len(INTROS))
    highlights = tuple(sorted(rng.sample(range(len(HIGHLIGHTS)), 3)))
    markdown, rendered = _description(intro, highlights, rng.randrange(len(CLOSINGS)))
    base_price = Decimal(rng.randint(*kind.price))
    price = base_price + (Decimal("0.99") if rng.random() < 0.7 else Decimal(0))
    on_sale = rng.random() < 0.2

    options: list[tuple[str, list[str]]] = []
    if kind.options == "apparel":
        start = rng.randrange(len(SIZES_APPAREL) - 2)
        options.append(("Size", list(SIZES_APPAREL[start : start + rng.randint(1, 3)])))
    elif kind.options == "shoes":
        start = rng.randrange(len(SIZES_SHOES) - 3)
        options.append(("Size", list(SIZES_SHOES[start : start + rng.randint(1, 3)])))
    elif kind.options == "cookware":
        options.append(("Size", list(SIZES_COOKWARE[: rng.randint(1, 3)])))
    if kind.options != "none" and (kind.options == "colour" or rng.random() < 0.7):
        colours = rng.sample([name for name, _ in COLOURS], rng.randint(1, 2 if options else 4))
        options.append(("Colour", colours))
    combinations: list[list[tuple[int, int]]] = [[]]
    for option_index, (_name, values) in enumerate(options):
        combinations = [[*c, (option_index, v)] for c in combinations for v in range(len(values))]

    variants = []
    for n, combination in enumerate(combinations[:6], start=1):
        # Bigger pans cost more; clothes cost the same in every size.
        step = (
            _money(base_price * Decimal("0.1") * combination[0][1])
            if kind.options == "cookware"
            else Decimal(0)
        )
        variant_price = price + step
        variants.append(
            _VariantPlan(
                sku=f"{SKU_PREFIX}{index:06d}-{n}",
                barcode=_barcode(index, n),
                price=variant_price,
                compare_at_price=_money(variant_price * Decimal("1.25")) if on_sale else None,
                stock=0 if rng.random() < 0.08 else rng.randint(1, 60),
                combination=combination,
            )
        )

    weight = rng.randint(*kind.weight)
    specifications = [
        ("Material", material),
        ("Weight", f"{weight} g"),
        ("Country of origin", rng.choice(ORIGINS)),
    ]
    if rng.random() < 0.5:
        specifications.append(("Warranty", rng.choice(("1 year", "2 years", "5 years", "Lifetime"))))

    images: list[tuple[DemoImage, int | None, str]] = [
        (reference.images[rng.randrange(IMAGE_COUNT)], None, title)
    ]
    colour_option = next((k for k, (name, _) in enumerate(options) if name == "Colour"), None)
    if colour_option is not None:
        for value_index, colour in enumerate(options[colour_option][1]):
            # The first variant in this colour gets the colour's picture.
            shown = next(
                (k for k, v in enumerate(variants) if (colour_option, value_index) in v.combination), None
            )
            same_colour = [image for image in reference.images if image.colour == colour]
            if shown is not None and same_colour:
                images.append((same_colour[index % len(same_colour)], shown, f"{title} in {colour.lower()}"))

    return _Plan(
        title=title,
        slug=f"{slugify(title)}-{index}",
        description=markdown.replace("\x00", title),
        description_html=rendered.replace("\x00", html.escape(title, quote=False)),
        brand_id=brand.pk,
        seo_title=f"{title} by {brand.name}"[:70],
        seo_description=INTROS[intro].format(title=title)[:160],
        is_active=rng.random() > 0.01,
        is_featured=index % 197 == 0,
        units_sold=int(rng.paretovariate(1.5) * 3) if rng.random() < 0.6 else 0,
        weight=weight,
        category_ids=ancestors[-1:],
        tag_ids=[tag.pk for tag in rng.sample(reference.tags, rng.randint(0, 3))],
        options=options,
        variants=variants,
        specifications=specifications,
        images=images,
    )


def _ids_allocate(model: type[Model], count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so that children can point
    at their parents without a round trip per row."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock, so max(id) is ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))


def _column(field: object) -> str:
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{field} is not a column.")
    return field.column


def _rows_insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows: COPY on PostgreSQL (several times faster than
    bulk_create with model instances), executemany elsewhere."""
    if not rows:
        return
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(_column(meta.get_field(name))) for name in fields)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _products_create(*, indices: Sequence[int], seed: int, reference: _Reference) -> tuple[int, int]:
    plans = [_product_plan(index=i, seed=seed, reference=reference) for i in indices]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    product_ids = _ids_allocate(Product, len(plans))
    option_ids = iter(_ids_allocate(ProductOption, sum(len(p.options) for p in plans)))
    value_ids = iter(_ids_allocate(ProductOptionValue, sum(len(v) for p in plans for _, v in p.options)))
    variant_count = sum(len(p.variants) for p in plans)
    variant_ids = iter(_ids_allocate(Variant, variant_count))

    products, categories, tags, options, values, variants, variant_values = [], [], [], [], [], [], []
    movements, specifications, images = [], [], []
    for product_id, plan in zip(product_ids, plans, strict=True):
        prices = [v.price for v in plan.variants]
        # The listing columns, as product_listing_refresh computes them.
        in_stock = any(v.stock > 0 for v in plan.variants)
        products.append(
            (product_id, plan.title, plan.slug, plan.description, plan.description_html, plan.brand_id,
             plan.seo_title, plan.seo_description, plan.is_active, plan.is_featured, now, now,
             min(prices), max(prices), in_stock, plan.units_sold, 0)
        )  # fmt: skip
        categories += [(product_id, category_id) for category_id in plan.category_ids]
        tags += [(product_id, tag_id) for tag_id in plan.tag_ids]
        plan_value_ids: dict[tuple[int, int], int] = {}
        for o, (name, option_values) in enumerate(plan.options):
            option_id = next(option_ids)
            options.append((option_id, product_id, name, o))
            for v, value in enumerate(option_values):
                plan_value_ids[o, v] = next(value_ids)
                values.append((plan_value_ids[o, v], option_id, value, v))
        plan_variant_ids = []
        for position, variant in enumerate(plan.variants):
            variant_id = next(variant_ids)
            plan_variant_ids.append(variant_id)
            variants.append(
                (variant_id, product_id, variant.sku, variant.barcode, variant.price,
                 variant.compare_at_price, plan.weight, True, position, variant.stock, 0, 5)
            )  # fmt: skip
            variant_values += [(variant_id, plan_value_ids[key]) for key in variant.combination]
            if variant.stock:
                # The ledger starts true: every unit on hand arrived as a restock.
                movements.append(
                    (variant_id, StockMovement.Reason.RESTOCK.value, variant.stock, 0, variant.stock, 0,
                     "Demo catalog", SEED_REFERENCE, now)
                )  # fmt: skip
        specifications += [
            (product_id, name, value, n) for n, (name, value) in enumerate(plan.specifications)
        ]
        images += [
            (product_id, plan_variant_ids[shown] if shown is not None else None, image.name, image.width,
             image.height, alt, n, json.dumps(image.renditions))
            for n, (image, shown, alt) in enumerate(plan.images)
        ]  # fmt: skip

    _rows_insert(
        Product,
        ("id", "title", "slug", "description", "description_html", "brand", "seo_title", "seo_description",
         "is_active", "is_featured", "created_at", "updated_at", "price_min", "price_max", "in_stock",
         "units_sold", "rating_count"),
        products,
    )  # fmt: skip
    categories_through, tags_through = Product.categories.through, Product.tags.through
    _rows_insert(categories_through, ("product", "category"), categories)
    _rows_insert(tags_through, ("product", "tag"), tags)
    _rows_insert(ProductOption, ("id", "product", "name", "position"), options)
    _rows_insert(ProductOptionValue, ("id", "option", "value", "position"), values)
    _rows_insert(
        Variant,
        ("id", "product", "sku", "barcode", "price", "compare_at_price", "weight_grams", "is_active",
         "position", "stock_on_hand", "stock_reserved", "low_stock_threshold"),
        variants,
    )  # fmt: skip
    _rows_insert(Variant.option_values.through, ("variant", "productoptionvalue"), variant_values)
    _rows_insert(
        StockMovement,
        ("variant", "reason", "on_hand_change", "reserved_change", "on_hand_after", "reserved_after", "note",
         "reference", "created_at"),
        movements,
    )  # fmt: skip
    _rows_insert(ProductSpecification, ("product", "name", "value", "position"), specifications)
    _rows_insert(
        ProductImage,
        ("product", "variant", "image", "width", "height", "alt_text", "position", "renditions"),
        images,
    )
    # The stored search vectors, set-based for the whole batch.
    search_vector_refresh(product_ids=product_ids)
    return len(plans), variant_count
