"""What demo product ``i`` is, decided before anything is written: its
title, description, brand, categories, options, variants (SKUs, barcodes,
prices, stock), specifications and pictures, all drawn from a random
generator seeded by the index, so that product ``i`` is always the same."""

import html
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.utils.text import slugify

from catalog.seeding.images import IMAGE_COUNT, DemoImage
from catalog.seeding.reference import Reference
from catalog.seeding.vocabulary import (
    ADJECTIVES,
    CLOSINGS,
    COLOURS,
    HIGHLIGHTS,
    INTROS,
    ORIGINS,
    SIZES_APPAREL,
    SIZES_COOKWARE,
    SIZES_SHOES,
)
from catalog.services import markdown_render
from shop.money import money_round

SKU_PREFIX = "DEMO-"


def variant_sku(index: int, n: int) -> str:
    """The SKU of product ``index``'s variant ``n`` (from 1): ``DEMO-<index>-<n>``."""
    return f"{SKU_PREFIX}{index:06d}-{n}"


def sku_index(sku: str) -> int:
    """The product index a demo SKU belongs to."""
    return int(sku[len(SKU_PREFIX) :].split("-")[0])


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
class VariantPlan:
    sku: str
    barcode: str
    price: Decimal
    compare_at_price: Decimal | None
    stock: int
    combination: list[tuple[int, int]]  # (option index, value index)


@dataclass(slots=True)
class ProductPlan:
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
    variants: list[VariantPlan]
    specifications: list[tuple[str, str]]
    images: list[tuple[DemoImage, int | None, str]]  # image, index of the variant it shows, alt text


def product_plan(*, index: int, seed: int, reference: Reference) -> ProductPlan:
    """Product ``index`` of the catalog drawn with ``seed``, the same every time."""
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
            VariantPlan(
                sku=variant_sku(index, n),
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

    return ProductPlan(
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
