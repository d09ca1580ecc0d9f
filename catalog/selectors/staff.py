"""The catalog as staff see it (the staff API): every product, active or
not, found as the admin's product list finds them, and the stock ledger."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from catalog.models import Category, Product, StockMovement, Variant


def products_for_staff(
    *,
    q: str = "",
    is_active: bool | None = None,
    is_featured: bool | None = None,
    in_stock: bool | None = None,
    brand: str = "",
    category_id: int | None = None,
    tag: str = "",
) -> QuerySet[Product]:
    """Products, inactive ones too, newest first, with their brand, variants,
    categories and tags (four queries for a page, whatever its length).
    ``q`` is part of the title or slug, or a SKU; ``brand`` and ``tag`` are
    slugs; ``category_id`` takes the category and everything below it."""
    products = Product.objects.all()
    if q := q.strip():
        sku = Variant.objects.filter(product=OuterRef("pk"), sku__iexact=q)
        products = products.filter(Q(title__icontains=q) | Q(slug__icontains=q) | Exists(sku))
    for name, value in (("is_active", is_active), ("is_featured", is_featured), ("in_stock", in_stock)):
        if value is not None:
            products = products.filter(**{name: value})
    if brand:
        products = products.filter(brand__slug=brand)
    if tag:
        products = products.filter(
            Exists(Product.tags.through.objects.filter(product_id=OuterRef("pk"), tag__slug=tag))
        )
    if category_id is not None:
        category = Category.objects.filter(pk=category_id).only("path").first()
        if category is None:
            return products.none()
        in_tree = Product.categories.through.objects.filter(
            product_id=OuterRef("pk"), category__path__startswith=category.path
        )
        products = products.filter(Exists(in_tree))
    return (
        products.order_by("-pk")
        .select_related("brand")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
            Prefetch("categories", queryset=Category.objects.order_by("path")),
            "tags",
        )
    )


def product_get_for_staff(*, product_id: int) -> Product:
    """Any product, active or not (``Product.DoesNotExist`` if none), as
    ``products_for_staff`` loads it."""
    return products_for_staff().get(pk=product_id)


def variant_get_for_staff(*, variant_id: int) -> Variant:
    """Any variant with its product (``Variant.DoesNotExist`` if none)."""
    return Variant.objects.select_related("product").get(pk=variant_id)


def stock_movements_for_variant(*, variant_id: int) -> QuerySet[StockMovement]:
    """A variant's stock ledger, newest first, with who made each change."""
    return StockMovement.objects.filter(variant_id=variant_id).select_related("created_by").order_by("-pk")
