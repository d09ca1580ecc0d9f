"""Product cards: the columns, brand and first image that
``catalog/_product_card.html`` reads, for every page that lists products."""

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from catalog.models import Product, ProductImage

# What a product card reads: denormalised columns only, never variants.
CARD_FIELDS = (
    "id", "title", "slug", "is_active", "created_at", "price_min", "price_max", "in_stock",
    "units_sold", "rating_average", "rating_count", "brand__name", "brand__slug",
    "sale_price_min", "offer_label",  # written by the promotions app
)  # fmt: skip


def product_card_images() -> Prefetch[str]:
    """Prefetch each product's first image (by position) into
    ``product.card_images`` (a list of at most one), in one query whatever
    the number of images; ``catalog/_product_card.html`` reads it."""
    first = ProductImage.objects.annotate(
        row=Window(RowNumber(), partition_by=F("product_id"), order_by=(F("position").asc(), F("pk").asc()))
    ).filter(row=1)
    return Prefetch("images", queryset=first, to_attr="card_images")


def product_cards(*, queryset: QuerySet[Product]) -> QuerySet[Product]:
    """``queryset`` with what ``catalog/_product_card.html`` needs: the card's
    columns, the brand, the first image; evaluate it (or slice it) as usual."""
    return queryset.select_related("brand").only(*CARD_FIELDS).prefetch_related(product_card_images())
