"""The catalog's shapes: what a product card, a product, a review, a
category, a brand and a tag look like in the API, and the query strings the
catalog reads accept.

Responses are built from what the pages' selectors load, without another
query: a card from ``selectors.product_cards`` (listing columns, brand, first
image), a product from ``selectors.product_get_for_page``, reviews from
``reviews.selectors.product_review_page``. They carry only what a shopper's
page shows: never stock counts, thresholds, barcodes, moderation fields or
reviewers' accounts. URLs are absolute; money is ``api.fields.money``."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from api.fields import MoneyField, money
from catalog.forms import MAX_VALUES
from catalog.images import StoredImage, image_sources
from catalog.models import Category, Product, ProductImage, Variant
from catalog.product_page import variant_stock_status
from catalog.search import MAX_QUERY_LENGTH
from catalog.selectors import PER_PAGE_CHOICES, Facets, FacetValue, Sort
from reviews.models import STARS, Review
from reviews.selectors import HistogramRow, ReviewSort

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,140}$"
STOCK_STATES = ("in_stock", "low", "out")


def _request(serializer: serializers.BaseSerializer[Any]) -> Request:
    return serializer.context["request"]


def _api_url(request: Request, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(f"api:v1:{name}", kwargs=kwargs or None))


def _products_url(request: Request, name: str, slug: str) -> str:
    """The product list filtered by one category, brand or tag."""
    return f"{_api_url(request, 'product-list')}?{urlencode({name: slug})}"


# --- Images -------------------------------------------------------------------


class RenditionSerializer(serializers.Serializer[Any]):
    width = serializers.IntegerField()
    url = serializers.URLField()


class ImageSerializer(serializers.Serializer[Any]):
    """An image as the pages show it: ``url`` is the widest WebP rendition
    (the original when it has none), ``width``/``height`` its size, and
    ``renditions`` every width, narrowest first, for a ``srcset``."""

    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    renditions = RenditionSerializer(many=True)

    def to_representation(self, instance: StoredImage) -> dict[str, Any]:
        absolute = _request(self).build_absolute_uri
        sources = image_sources(instance)
        storage = instance.image.storage
        renditions: Mapping[str, str] = instance.renditions or {}
        return {
            "url": absolute(sources.src),
            "width": sources.width,
            "height": sources.height,
            "renditions": [
                {"width": int(width), "url": absolute(storage.url(name))}
                for width, name in sorted(renditions.items(), key=lambda item: int(item[0]))
            ],
        }


class ProductImageSerializer(ImageSerializer):
    id = serializers.IntegerField()
    alt = serializers.CharField()
    variant_id = serializers.IntegerField(allow_null=True, help_text="The variant it shows, if one.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "alt": instance.alt_text,
            "variant_id": instance.variant_id,
            **super().to_representation(instance),
        }


# --- Brands, tags, categories -------------------------------------------------


class BrandRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class BrandSerializer(BrandRefSerializer):
    description = serializers.CharField()
    products = serializers.SerializerMethodField(help_text="The brand's products.")

    def get_products(self, brand: Any) -> str:
        return _products_url(_request(self), "brand", brand.slug)


class TagSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    products = serializers.SerializerMethodField(help_text="The products with this tag.")

    def get_products(self, tag: Any) -> str:
        return _products_url(_request(self), "tag", tag.slug)


class CategorySerializer(serializers.Serializer[Category]):
    """A node of the category tree; ``parent`` is its parent's id, ``path``
    the ids from the root down to it ("/1/4/9/")."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    path = serializers.CharField()
    depth = serializers.IntegerField()
    position = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, category: Category) -> str:
        return _api_url(_request(self), "category-detail", slug=category.slug)


class CategoryDetailSerializer(serializers.Serializer[Any]):
    """A category (from ``selectors.category_page_get``) with its ancestors,
    its active children, and the address of its products."""

    id = serializers.IntegerField(source="category.pk")
    slug = serializers.SlugField(source="category.slug")
    name = serializers.CharField(source="category.name")
    parent = serializers.IntegerField(source="category.parent_id", allow_null=True)  # type: ignore[assignment]
    path = serializers.CharField(source="category.path")
    depth = serializers.IntegerField(source="category.depth")
    position = serializers.IntegerField(source="category.position")
    description = serializers.CharField(source="category.description")
    image = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    products = serializers.SerializerMethodField(help_text="This category's products, with its descendants'.")
    ancestors = CategorySerializer(many=True, help_text="From the root down to the parent.")
    children = CategorySerializer(many=True)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image(self, page: Any) -> str | None:
        image = page.category.image
        return _request(self).build_absolute_uri(image.url) if image else None

    def get_url(self, page: Any) -> str:
        return _api_url(_request(self), "category-detail", slug=page.category.slug)

    def get_page_url(self, page: Any) -> str:
        return _request(self).build_absolute_uri(page.category.get_absolute_url())

    def get_products(self, page: Any) -> str:
        return _products_url(_request(self), "category", page.category.slug)


# --- Products -----------------------------------------------------------------


class RatingSerializer(serializers.Serializer[Any]):
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class ProductCardSerializer(serializers.Serializer[Product]):
    """A product in a list, as its card shows it. ``sale_price`` is the
    lowest price after the automatic promotions running now, when below
    ``price_min`` (the card strikes the price through)."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The product's API address.")
    page_url = serializers.SerializerMethodField(help_text="The product's page in the shop.")
    brand = BrandRefSerializer(allow_null=True)
    price_min = MoneyField(allow_null=True)
    price_max = MoneyField(allow_null=True)
    sale_price = serializers.SerializerMethodField()
    offer_label = serializers.CharField(help_text="The running promotion's badge, or empty.")
    in_stock = serializers.BooleanField()
    rating = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    def get_url(self, product: Product) -> str:
        return _api_url(_request(self), "product-detail", slug=product.slug)

    def get_page_url(self, product: Product) -> str:
        return _request(self).build_absolute_uri(product.get_absolute_url())

    @extend_schema_field(MoneyField(allow_null=True))
    def get_sale_price(self, product: Product) -> Any:
        sale, price = product.sale_price_min, product.price_min
        on_sale = sale is not None and price is not None and sale < price
        return money(sale) if on_sale else None

    @extend_schema_field(RatingSerializer)
    def get_rating(self, product: Product) -> dict[str, Any]:
        return RatingSerializer({"average": product.rating_average, "count": product.rating_count}).data

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_image(self, product: Product) -> dict[str, Any] | None:
        images = getattr(product, "card_images", None) or []
        return ImageSerializer(images[0], context=self.context).data if images else None


class OptionValueSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="The option, e.g. Size.")
    value = serializers.CharField(help_text="Its value, e.g. M.")


class VariantSerializer(serializers.Serializer[Any]):
    """What is sold. ``stock``: ``in_stock``, ``low`` (only a few left) or
    ``out``; ``compare_at_price`` only when above the price (shown struck
    through); ``sale_price`` after the automatic promotions running now."""

    id = serializers.IntegerField()
    sku = serializers.CharField()
    options = serializers.SerializerMethodField()
    price = MoneyField()
    compare_at_price = serializers.SerializerMethodField()
    sale_price = MoneyField(allow_null=True)
    stock = serializers.SerializerMethodField()
    image_ids = serializers.SerializerMethodField(help_text="Its own images, in the product's images.")

    @extend_schema_field(OptionValueSerializer(many=True))
    def get_options(self, variant: Variant) -> list[dict[str, str]]:
        values = sorted(variant.option_values.all(), key=lambda v: (v.option.position, v.option.pk))
        return [{"name": value.option.name, "value": value.value} for value in values]

    @extend_schema_field(MoneyField(allow_null=True))
    def get_compare_at_price(self, variant: Variant) -> Any:
        compare = variant.compare_at_price
        higher = compare is not None and compare > variant.price
        return money(compare) if higher else None

    @extend_schema_field(serializers.ChoiceField(choices=STOCK_STATES))
    def get_stock(self, variant: Variant) -> str:
        return variant_stock_status(variant).code

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_image_ids(self, variant: Variant) -> list[int]:
        images: list[ProductImage] = self.context.get("images", [])
        return [image.pk for image in images if image.variant_id == variant.pk]


class ProductRatingSerializer(RatingSerializer):
    histogram = serializers.DictField(
        child=serializers.IntegerField(), help_text='Published reviews per stars: {"5": 12, ..., "1": 0}.'
    )


class SpecificationSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    value = serializers.CharField()


class CategoryRefSerializer(serializers.Serializer[Category]):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    path = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, category: Category) -> str:
        return _api_url(_request(self), "category-detail", slug=category.slug)


class ProductDetailSerializer(ProductCardSerializer):
    """A product as its page shows it: ``description_html`` is the shop's
    sanitised HTML; ``variants`` the active ones; ``categories`` the active ones."""

    description_html = serializers.CharField()
    rating = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()
    categories = CategoryRefSerializer(many=True, source="active_categories")
    tags = serializers.SerializerMethodField()
    specifications = SpecificationSerializer(many=True, source="specifications.all")
    reviews = serializers.SerializerMethodField(help_text="Its published reviews.")
    image = None  # type: ignore[assignment]  # the detail lists every image

    @extend_schema_field(ProductRatingSerializer)
    def get_rating(self, product: Product) -> dict[str, Any]:
        counts = product.rating_histogram or {}
        return ProductRatingSerializer(
            {
                "average": product.rating_average,
                "count": product.rating_count,
                "histogram": {str(stars): int(counts.get(str(stars), 0)) for stars in reversed(STARS)},
            }
        ).data

    @extend_schema_field(ProductImageSerializer(many=True))
    def get_images(self, product: Product) -> Any:
        return ProductImageSerializer(self._images(product), many=True, context=self.context).data

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: Product) -> Any:
        variants = getattr(product, "active_variants", [])
        context = {**self.context, "images": self._images(product)}
        return VariantSerializer(variants, many=True, context=context).data

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, product: Product) -> Any:
        return TagSerializer(product.tags.all(), many=True, context=self.context).data

    def get_reviews(self, product: Product) -> str:
        return _api_url(_request(self), "product-reviews", slug=product.slug)

    def _images(self, product: Product) -> list[ProductImage]:
        return list(product.images.all())  # prefetched by the selector


# --- The listing --------------------------------------------------------------


class FacetValueSerializer(serializers.Serializer[FacetValue]):
    value = serializers.CharField(help_text="As the filter takes it in the query string.")
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class OptionFacetSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    values = FacetValueSerializer(many=True, help_text='Filter with option=<name>:<value>, e.g. "Size:M".')


class FacetsSerializer(serializers.Serializer[Facets]):
    """The facets as the listing counts them: each kind's counts come from
    the result without that kind's own filter, so choosing one brand still
    offers the others."""

    total = serializers.IntegerField()
    in_stock = serializers.IntegerField()
    price_low = MoneyField(allow_null=True)
    price_high = MoneyField(allow_null=True)
    categories = FacetValueSerializer(many=True)
    brands = FacetValueSerializer(many=True)
    tags = FacetValueSerializer(many=True)
    options = serializers.SerializerMethodField()
    ratings = FacetValueSerializer(many=True, help_text='"4": rated 4 and up.')

    @extend_schema_field(OptionFacetSerializer(many=True))
    def get_options(self, facets: Facets) -> Any:
        return OptionFacetSerializer(
            [{"name": name, "values": values} for name, values in facets.options.items()], many=True
        ).data


class ProductListSerializer(serializers.Serializer[Any]):
    """One page of the listing. ``sort`` is the order used (``relevance``
    for a search, ``newest`` without one, unless asked); ``fuzzy``: nothing
    matched exactly and these are the typo-tolerant matches; ``suggestions``:
    "did you mean" queries."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    sort = serializers.ChoiceField(choices=Sort.choices)
    query = serializers.CharField()
    fuzzy = serializers.BooleanField()
    suggestions = serializers.ListField(child=serializers.CharField())
    results = ProductCardSerializer(many=True)
    facets = FacetsSerializer()


def _option_check(value: str) -> None:
    name, sep, choice = value.partition(":")
    if not (sep and name.strip() and choice.strip()):
        raise serializers.ValidationError(_("Write an option as name:value, e.g. Size:M."))


class ProductListQuerySerializer(serializers.Serializer[Any]):
    """The listing's query string, as /products/ takes it. The page ignores
    what it cannot use; the API refuses it (a 400 naming the field)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH)
    category = serializers.ListField(
        child=serializers.RegexField(SLUG_PATTERN), required=False, max_length=MAX_VALUES,
        help_text="A category's slug (its descendants count); repeat for either of several.",
    )  # fmt: skip
    brand = serializers.ListField(
        child=serializers.RegexField(SLUG_PATTERN), required=False, max_length=MAX_VALUES,
        help_text="A brand's slug; repeat for either of several.",
    )  # fmt: skip
    tag = serializers.ListField(
        child=serializers.RegexField(SLUG_PATTERN), required=False, max_length=MAX_VALUES,
        help_text="A tag's slug; repeat for either of several.",
    )  # fmt: skip
    option = serializers.ListField(
        child=serializers.CharField(max_length=90, validators=[_option_check]),
        required=False,
        max_length=MAX_VALUES,
        help_text="name:value, e.g. Size:M; values of one option widen, different options narrow.",
    )
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    max_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    in_stock = serializers.ChoiceField(
        choices=("1", "0", "true", "false"),
        required=False,
        allow_blank=True,
        help_text="Only products in stock.",
    )
    rating = serializers.ChoiceField(
        choices=("4", "3", "2", "1"),
        required=False,
        allow_blank=True,
        help_text="Rated this many stars and up.",
    )
    sort = serializers.ChoiceField(choices=Sort.choices, required=False, allow_blank=True)
    page = serializers.IntegerField(min_value=1, max_value=10**9, required=False)
    per_page = serializers.ChoiceField(
        choices=[str(n) for n in PER_PAGE_CHOICES], required=False, allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": [_("The minimum price is above the maximum.")]})
        return attrs


# --- Reviews ------------------------------------------------------------------


class ReviewSerializer(serializers.Serializer[Review]):
    """A published review as the product page shows it: the name the
    reviewer chose to be shown as, never their account."""

    id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField()
    body = serializers.CharField()
    author_name = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    verified_purchase = serializers.BooleanField()
    variant_label = serializers.CharField(help_text="The variant the reviewer bought, as named then.")
    helpful_count = serializers.IntegerField()
    reply = serializers.CharField(help_text="The shop's public reply, or empty.")
    replied_at = serializers.DateTimeField(allow_null=True)
    photos = ImageSerializer(many=True, source="photos.all")
    page_url = serializers.SerializerMethodField()

    def get_page_url(self, review: Review) -> str:
        return _request(self).build_absolute_uri(review.get_absolute_url())


class HistogramRowSerializer(serializers.Serializer[HistogramRow]):
    stars = serializers.IntegerField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField()


class ReviewListSerializer(serializers.Serializer[Any]):
    """A page of a product's published reviews; ``count`` under the filter."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    stars = serializers.IntegerField(allow_null=True)
    sort = serializers.ChoiceField(choices=ReviewSort.choices)
    rating = RatingSerializer()
    histogram = HistogramRowSerializer(many=True)
    results = ReviewSerializer(many=True)


class ReviewListQuerySerializer(serializers.Serializer[Any]):
    stars = serializers.ChoiceField(
        choices=[str(n) for n in STARS], required=False, allow_blank=True, help_text="Only these stars."
    )
    sort = serializers.ChoiceField(choices=ReviewSort.choices, required=False, allow_blank=True)
    page = serializers.IntegerField(min_value=1, max_value=10**6, required=False)
