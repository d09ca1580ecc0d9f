"""The catalog: categories (a tree), brands, tags, products, their variants,
images and specifications, and per-variant stock with its ledger.

Listing pages read denormalised columns on ``Product`` (``price_min``,
``in_stock``, ``units_sold``, ``rating_average``, ``search_vector``) so they
never touch variants; the services in ``catalog/services.py`` and
``catalog/stock.py`` keep those columns true.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.taxes import TaxClass


class Category(models.Model):
    """A node of the category tree. ``path`` is the chain of ancestor ids
    ("/1/4/9/"), so a category's descendants are one indexed prefix match."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="categories/", blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_featured = models.BooleanField(_("featured on the home page"), default=False)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ("path",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # The Markdown rendered and sanitised once, when the product is saved.
    description_html = models.TextField(editable=False, blank=True)
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    categories = models.ManyToManyField(Category, blank=True, related_name="products")
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_featured = models.BooleanField(_("featured on the home page"), default=False)
    tax_class = models.CharField(
        _("tax class"),
        max_length=16,
        choices=TaxClass.choices,
        default=TaxClass.STANDARD,
        db_default=TaxClass.STANDARD,  # bulk loads (COPY) leave it out
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Denormalised for listings, kept by the services.
    price_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    price_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    in_stock = models.BooleanField(default=False, editable=False)
    units_sold = models.PositiveIntegerField(default=0, editable=False)
    rating_average = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True, editable=False
    )
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    # Written by the reviews app from the published reviews: how many gave
    # each number of stars ({"5": 12, "4": 3, ...}), and the rank "Top rated"
    # sorts by (a Bayesian average, docs/decisions.md).
    rating_histogram = models.JSONField(
        default=dict, db_default=models.Value({}, models.JSONField()), editable=False
    )
    rating_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True, editable=False)
    # Written by the promotions app from the automatic promotions running now,
    # so listings show sale prices without evaluating promotions per request.
    sale_price_min = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    offer_label = models.CharField(max_length=80, blank=True, editable=False, default="", db_default="")
    # PostgreSQL: weighted tsvector (title A; SKUs, brand, tags B; description
    # C) behind a GIN index. Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("-created_at", "-pk")
        indexes = (
            models.Index(fields=("is_active", "price_min"), name="catalog_prod_active_price"),
            models.Index(fields=("is_active", "-created_at"), name="catalog_prod_active_new"),
            models.Index(fields=("is_active", "-units_sold"), name="catalog_prod_active_sold"),
            models.Index(fields=("is_active", "-rating_score"), name="catalog_prod_active_rated"),
            # The home page's featured products: a handful among many.
            models.Index(
                fields=("-created_at",),
                condition=Q(is_active=True, is_featured=True),
                name="catalog_prod_featured",
            ),
        )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"slug": self.slug})


class ProductSpecification(models.Model):
    """A name/value row of the product's specification table."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="specifications")
    name = models.CharField(_("name"), max_length=80)
    value = models.CharField(_("value"), max_length=255)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class ProductOption(models.Model):
    """An option a product's variants differ by, e.g. Size or Colour."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("name"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ("position", "pk")
        constraints = (
            models.UniqueConstraint(fields=("product", "name"), name="catalog_option_unique_name"),
        )

    def __str__(self) -> str:
        return self.name


class ProductOptionValue(models.Model):
    option = models.ForeignKey(ProductOption, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(_("value"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option value")
        verbose_name_plural = _("option values")
        ordering = ("position", "pk")
        constraints = (
            models.UniqueConstraint(fields=("option", "value"), name="catalog_option_value_unique"),
        )

    def __str__(self) -> str:
        return self.value


class Variant(models.Model):
    """What is actually sold: one combination of option values, with its SKU,
    price and stock. A product without options has exactly one variant."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    option_values = models.ManyToManyField(ProductOptionValue, blank=True, related_name="variants")
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    compare_at_price = models.DecimalField(
        _("compare-at price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The regular price, shown struck through when higher than the price."),
    )
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=0)
    # The price after automatic promotions, kept by the promotions app (null:
    # no promotion applies). The cart prices from the promotions themselves.
    sale_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Stock. Changed only through catalog.stock, which locks the rows and
    # writes a ledger row for every change.
    stock_on_hand = models.PositiveIntegerField(_("on hand"), default=0, editable=False)
    stock_reserved = models.PositiveIntegerField(_("reserved"), default=0, editable=False)
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=5)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ("position", "pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(stock_on_hand__gte=0), name="catalog_variant_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(stock_reserved__gte=0), name="catalog_variant_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(stock_reserved__lte=F("stock_on_hand")),
                name="catalog_variant_reserved_within_on_hand",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_variant_price_not_negative"),
        )
        indexes = (
            # Search puts the product of an exact SKU, in any case, first (catalog/search.py).
            models.Index(Upper("sku"), name="catalog_variant_sku_upper"),
        )

    def __str__(self) -> str:
        return self.sku

    @property
    def stock_available(self) -> int:
        return self.stock_on_hand - self.stock_reserved


class ProductImage(models.Model):
    """An image of a product, optionally of one variant. Its WebP thumbnails
    are made once, on upload (catalog/images.py), and listed in ``renditions``
    as {width: storage name}."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    image = models.ImageField(
        _("image"), upload_to="products/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"), max_length=200, help_text=_("Describe the image for people who cannot see it.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    renditions = models.JSONField(default=dict, editable=False, blank=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.alt_text


class StockMovement(models.Model):
    """The stock ledger: one row per change of a variant's stock. The sum of a
    variant's ``on_hand_change`` is its on-hand stock; of ``reserved_change``,
    its reserved stock."""

    class Reason(models.TextChoices):
        RESTOCK = "restock", _("Restock")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RESERVATION = "reservation", _("Reservation")
        RESERVATION_RELEASED = "reservation_released", _("Reservation released")
        SALE = "sale", _("Sale")
        RETURN = "return", _("Return")

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="movements")
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    on_hand_change = models.IntegerField(_("on hand change"), default=0)
    reserved_change = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.PositiveIntegerField(_("on hand after"))
    reserved_after = models.PositiveIntegerField(_("reserved after"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("An order number, an import, ..."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.variant_id} {self.reason} {self.on_hand_change:+d}/{self.reserved_change:+d}"
