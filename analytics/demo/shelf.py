"""What the demo history can sell and show: a snapshot of the real catalog
(active variants of active products, active categories) with the tables the
drawing picks from.

Picking is the inner loop of 20 million events, so every weighted choice is
a lookup table of ``PICK_SIZE`` entries drawn once (``pick_table``): a pick is
``table[getrandbits(PICK_BITS)]``, several times faster than
``random.choices`` and exact enough for demo data.
"""

import random
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from catalog.models import Category, Product, Variant

PICK_BITS = 16
PICK_SIZE = 1 << PICK_BITS

# Searches nobody's catalog answers: typos are made from real words below,
# these are things the shop does not sell at all.
UNSOLD_QUERIES = (
    "gift card", "iphone case", "bicycle", "playstation", "vinyl records", "dog food", "printer ink",
    "lego", "garden hose", "sunscreen", "usb c cable", "airpods",
)  # fmt: skip


def pick_table[T](values: Sequence[T], weights: Sequence[float]) -> list[T]:
    """``PICK_SIZE`` entries in which each value appears in proportion to its weight.

    >>> sorted(set(pick_table("ab", [3, 1])))
    ['a', 'b']
    >>> pick_table("ab", [3, 1]).count("a")
    49152
    """
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    return [
        values[min(bisect_left(cumulative, (k + 0.5) * total / PICK_SIZE), len(values) - 1)]
        for k in range(PICK_SIZE)
    ]


@dataclass(frozen=True, slots=True)
class Item:
    """A variant as an order line copies it."""

    variant_id: int
    product_id: int
    slug: str
    title: str  # with its options: "Tee (Red / M)"
    sku: str
    price_cents: int


@dataclass(frozen=True)
class Shelf:
    items: list[Item]
    # Item indices by popularity: a few products sell a lot, most a little.
    item_picks: list[int]
    # Per item, the indices of the other variants of its product.
    siblings: dict[int, list[int]]
    product_slugs: list[str]  # by popularity, as item_picks
    category_slugs: list[str]
    searches: list[tuple[str, int]]  # (query, results), by popularity
    zero_result_queries: list[str]


def shelf_load(*, rng: random.Random) -> Shelf | None:
    """The catalog as the history sees it; None when nothing can be sold."""
    variants = (
        Variant.objects.filter(is_active=True, product__is_active=True, price__gt=0)
        .order_by("product_id", "position", "pk")
        .values_list("pk", "product_id", "product__slug", "product__title", "sku", "price")
    )
    options: dict[int, list[str]] = defaultdict(list)
    through = Variant.option_values.through.objects.filter(
        variant__is_active=True, variant__product__is_active=True
    ).order_by("variant_id", "productoptionvalue__option__position", "productoptionvalue__position")
    for variant_id, value in through.values_list("variant_id", "productoptionvalue__value"):
        options[variant_id].append(value)
    items = []
    for pk, product_id, slug, title, sku, price in variants:
        named = f"{title} ({' / '.join(options[pk])})" if options.get(pk) else title
        items.append(Item(pk, product_id, slug, named[:255], sku, int(Decimal(price) * 100)))
    if not items:
        return None

    by_product: dict[int, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_product[item.product_id].append(index)
    products = list(by_product)
    rng.shuffle(products)  # a random order of popularity, the same for the same seed
    # Zipf-like: the 10th most popular product sells about half as much as the first.
    weights = [1 / (rank + 10) ** 1.1 for rank in range(len(products))]
    first_variant = [by_product[product][0] for product in products]
    product_picks = pick_table(first_variant, weights)
    # The variant is picked within the product afterwards (item_pick), so
    # a product's popularity is shared by its sizes and colours.
    siblings = {index: by_product[items[index].product_id] for index in first_variant}

    titles = Product.objects.filter(is_active=True).values_list("title", flat=True)
    words: Counter[str] = Counter()
    for title in titles.iterator(chunk_size=5000):
        words.update(set(re.findall(r"[a-z]{3,}", title.lower())))
    searches = _searches(words, rng)
    typos = [_typo(query, rng) for query, _results in searches[:40]]
    return Shelf(
        items=items,
        item_picks=product_picks,
        siblings=siblings,
        product_slugs=[items[index].slug for index in product_picks],
        category_slugs=list(
            Category.objects.filter(is_active=True).order_by("pk").values_list("slug", flat=True)
        ),
        searches=searches,
        zero_result_queries=[query for query in (*typos, *UNSOLD_QUERIES) if query not in words],
    )


def _searches(words: Counter[str], rng: random.Random) -> list[tuple[str, int]]:
    """What shoppers type: the catalog's words, the common ones most often,
    with the number of active products whose title has the word."""
    common = [word for word, _count in words.most_common(200)]
    rng.shuffle(common)
    return [(word, words[word]) for word in common]


def _typo(word: str, rng: random.Random) -> str:
    """A word with two letters swapped or one dropped ("lmap", "lam")."""
    k = rng.randrange(len(word) - 1)
    if rng.random() < 0.5:
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return word[:k] + word[k + 1 :]
