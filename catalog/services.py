"""The verbs of the catalog (stock has its own module, catalog/stock.py)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import markdown
import nh3
from django.db import transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Subquery

from catalog import locks
from catalog.models import Category, Product, Tag, Variant
from catalog.page_cache import catalog_generation_bump
from catalog.search import search_vector_refresh

# What a product description may contain once rendered: text formatting,
# lists, headings, tables and links; no scripts, styles, images or iframes.
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def markdown_render(text: str) -> str:
    """Markdown to HTML that is safe to put on the page.

    >>> markdown_render("**Soft** <script>alert(1)</script> [x](javascript:alert(1))")
    '<p><strong>Soft</strong>  <a rel="noopener noreferrer nofollow">x</a></p>'
    """
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Save a category and keep the tree's paths true, for it and, when it
    moved, for all its descendants."""
    if category.parent_id is not None and category.pk is not None:
        parent = Category.objects.only("path").get(pk=category.parent_id)
        if parent.path.startswith(category.path or "//"):
            raise ValueError("A category cannot be moved below itself.")
    old_path = category.path
    category.save()
    parent_path = Category.objects.only("path").get(pk=category.parent_id).path if category.parent_id else "/"
    new_path = f"{parent_path}{category.pk}/"
    if new_path != old_path:
        depth = new_path.count("/") - 2
        Category.objects.filter(pk=category.pk).update(path=new_path, depth=depth)
        if old_path:
            # Descendants keep their tail and get the new head.
            for child in Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk):
                child_path = new_path + child.path[len(old_path) :]
                Category.objects.filter(pk=child.pk).update(path=child_path, depth=child_path.count("/") - 2)
        category.path, category.depth = new_path, depth
    catalog_generation_bump()
    return category


def category_descendant_ids(*, category: Category) -> list[int]:
    """The category and every category below it."""
    return list(Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True))


@transaction.atomic
def product_save(*, product: Product) -> Product:
    """Save a product with its description rendered once, here, not per request."""
    product.description_html = markdown_render(product.description)
    product.save()
    search_vector_refresh(product_ids=[product.pk])
    catalog_generation_bump()
    return product


@transaction.atomic
def product_update(
    *,
    product_id: int,
    changes: Mapping[str, Any],
    categories: Iterable[Category] | None = None,
    tags: Iterable[Tag] | None = None,
) -> Product:
    """Staff's edit of a product (the admin's page, the staff API): its
    variants and then itself locked (the stock services' order, so an edit
    cannot deadlock with a checkout), ``changes`` ({field: value}, validated
    by the caller's model form) applied to the row as it is now, saved through
    ``product_save``; ``categories``/``tags`` replace the product's when
    given; its listing columns and search vector follow."""
    variant_ids = Variant.objects.filter(product_id=product_id).values_list("pk", flat=True)
    locks.variants_lock(variant_ids=variant_ids)
    locks.products_lock(product_ids=[product_id])
    product = Product.objects.get(pk=product_id)
    for name, value in changes.items():
        setattr(product, name, value)
    product_save(product=product)
    if categories is not None:
        product.categories.set(categories)
    if tags is not None:
        product.tags.set(tags)
    product_listing_refresh(product_ids=[product_id])
    search_vector_refresh(product_ids=[product_id])
    return product


@transaction.atomic
def variant_update(*, variant_id: int, changes: Mapping[str, Any]) -> Variant:
    """Staff's edit of a variant (price, compare-at price, active, SKU, ...;
    validated by the caller's model form): locked, only the changed columns
    written, so its stock, kept by ``catalog.stock``, is never overwritten
    with what the form read; its product's listing columns and search vector
    follow."""
    variant = locks.variants_lock(variant_ids=[variant_id])[variant_id]
    locks.products_lock(product_ids=[variant.product_id])
    for name, value in changes.items():
        setattr(variant, name, value)
    if changes:
        variant.save(update_fields=list(changes))
    product_listing_refresh(product_ids=[variant.product_id])
    search_vector_refresh(product_ids=[variant.product_id])
    return variant


@transaction.atomic
def product_set_active(*, product_ids: Iterable[int], is_active: bool) -> int:
    """Show (or hide) these products to shoppers, e.g. staff's bulk action;
    returns how many changed."""
    changed = (
        Product.objects.filter(pk__in=list(product_ids))
        .exclude(is_active=is_active)
        .update(is_active=is_active)
    )
    catalog_generation_bump()
    return changed


def product_listing_refresh(*, product_ids: Iterable[int]) -> None:
    """Recompute the listing columns of these products from their active
    variants: lowest and highest price, and whether any unit is available."""
    ids = list(product_ids)
    if not ids:
        return
    active = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
    prices = active.order_by().values("product")
    Product.objects.filter(pk__in=ids).update(
        price_min=Subquery(prices.annotate(v=Min("price")).values("v")[:1]),
        price_max=Subquery(prices.annotate(v=Max("price")).values("v")[:1]),
        in_stock=Exists(active.filter(stock_on_hand__gt=F("stock_reserved"))),
    )
    catalog_generation_bump()


@dataclass(frozen=True)
class Rating:
    """A product's rating as its listing columns hold it (worked out by the
    reviews app from the published reviews)."""

    count: int
    average: Decimal | None
    histogram: dict[str, int]
    score: Decimal | None


def product_rating_set(*, product_id: int, rating: Rating) -> None:
    """Write a product's rating columns. The caller holds the product's lock
    (``catalog.locks.products_lock``) and computed ``rating`` after taking
    it, in the same transaction, so that two changes at once cannot leave
    a stale figure."""
    Product.objects.filter(pk=product_id).update(
        rating_count=rating.count,
        rating_average=rating.average,
        rating_histogram=rating.histogram,
        rating_score=rating.score,
    )
    catalog_generation_bump()
