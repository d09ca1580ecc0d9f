"""The product page and the home page."""

from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    QuerySet,
    prefetch_related_objects,
)

from catalog.models import Category, Product, ProductOptionValue, Variant
from catalog.selectors.cards import CARD_FIELDS, product_card_images, product_cards

# --- Product page and home ---------------------------------------------------


def product_get_for_page(*, slug: str, include_inactive: bool = False) -> Product:
    """A product with all its page needs in six queries, whatever its number
    of variants and images: brand, active variants with their option values
    (and options), images, specifications and active categories. Inactive
    products only for staff (``include_inactive``); raises
    ``Product.DoesNotExist`` otherwise."""
    products = (
        Product.objects.select_related("brand")
        .defer("description", "search_vector")  # the page shows description_html
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=Variant.objects.filter(is_active=True).prefetch_related(
                    Prefetch("option_values", queryset=ProductOptionValue.objects.select_related("option"))
                ),
                to_attr="active_variants",
            ),
            "images",
            "specifications",
            Prefetch(
                "categories", queryset=Category.objects.filter(is_active=True), to_attr="active_categories"
            ),
        )
    )
    if not include_inactive:
        products = products.filter(is_active=True)
    return products.get(slug=slug)


def product_get_rated(*, slug: str) -> Product:
    """An active product with its rating columns only (average, count,
    histogram), for a page of its reviews, in one query; raises
    ``Product.DoesNotExist`` for an inactive or unknown one."""
    return Product.objects.only(
        "id", "slug", "title", "is_active", "rating_average", "rating_count", "rating_histogram"
    ).get(slug=slug, is_active=True)


def product_main_category(*, product: Product) -> Category | None:
    """The deepest of the product's active categories (from
    ``product_get_for_page``): where its breadcrumbs and related products come from."""
    categories: list[Category] = getattr(product, "active_categories", None) or list(
        product.categories.filter(is_active=True)
    )
    return max(categories, key=lambda category: (category.depth, -category.pk), default=None)


def category_breadcrumbs(*, category: Category | None) -> list[Category]:
    """The active categories from the root down to ``category``, in one
    query (none for a root category)."""
    if category is None:
        return []
    ancestor_ids = [int(pk) for pk in category.path.strip("/").split("/") if pk][:-1]
    if not ancestor_ids:
        return [category]
    ancestors = Category.objects.filter(pk__in=ancestor_ids, is_active=True).order_by("depth")
    return [*ancestors, category]


def product_related_list(*, product: Product, category: Category | None, limit: int = 4) -> QuerySet[Product]:
    """Other active products of the product's main category, best sellers
    first, as cards (two queries)."""
    if category is None:
        return Product.objects.none()
    related = (
        Product.objects.filter(is_active=True, categories=category)
        .exclude(pk=product.pk)
        .order_by("-units_sold", "-created_at", "-pk")
    )
    return product_cards(queryset=related)[:limit]


def home_featured_categories(*, limit: int = 8) -> QuerySet[Category]:
    return Category.objects.filter(is_active=True, is_featured=True).order_by("position", "name")[:limit]


@dataclass(frozen=True)
class HomeProducts:
    products: list[Product]
    featured: bool  # False: no product is featured, these are the newest


def home_featured_products(*, limit: int = 8) -> HomeProducts:
    """Featured active products, newest first, filled up with the newest
    others when fewer than ``limit`` are featured (so a new shop's home page
    is not empty). At most three queries: featured (a partial index), newest
    (an index), and the cards' first images."""
    active = (
        Product.objects.filter(is_active=True)
        .select_related("brand")
        .only(*CARD_FIELDS)
        .order_by("-created_at", "-pk")
    )
    products = list(active.filter(is_featured=True)[:limit])
    featured = bool(products)
    if len(products) < limit:
        products.extend(active.filter(is_featured=False)[: limit - len(products)])
    prefetch_related_objects(products, product_card_images())
    return HomeProducts(products=products, featured=featured)
