"""The admin of products, their options, variants, images and specifications."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import services
from catalog.admin.base import (
    ShopperVisibleAdmin,
    changed_columns,
    choices_freeze,
    option_value_label,
    product_option_values,
)
from catalog.image_forms import ProductImageForm
from catalog.images import product_image_delete, product_image_save
from catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    ProductSpecification,
    Variant,
)
from catalog.search import search_vector_refresh

# --- Products -------------------------------------------------------------------


class VariantInline(admin.TabularInline[Variant, Product]):
    model = Variant
    fields = (
        "sku",
        "option_values",
        "price",
        "compare_at_price",
        "weight_grams",
        "barcode",
        "is_active",
        "position",
        "low_stock_threshold",
        "stock_on_hand",
        "stock_reserved",
        "stock_adjust_link",
    )
    readonly_fields = ("stock_on_hand", "stock_reserved", "stock_adjust_link")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Variant]:
        return super().get_queryset(request).prefetch_related("option_values")

    def get_extra(self, request: HttpRequest, obj: Product | None = None, **kwargs: Any) -> int:
        return 1 if obj is None else 0  # a product without options has one variant

    def get_formset(self, request: HttpRequest, obj: Product | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        choices_freeze(
            formset.form.base_fields.get("option_values"),
            product_option_values(obj.pk if obj else None),
            option_value_label,
        )
        return formset

    @admin.display(description=_("stock"))
    def stock_adjust_link(self, obj: Variant) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:catalog_variant_stock_adjust", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Adjust stock"))


class ProductImageInline(admin.TabularInline[ProductImage, Product]):
    model = ProductImage
    form = ProductImageForm
    fields = ("image", "variant", "alt_text", "position")
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Product | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        choices_freeze(
            formset.form.base_fields.get("variant"),
            Variant.objects.filter(product=obj).order_by("position", "pk") if obj else Variant.objects.none(),
            str,
        )
        return formset


class ProductSpecificationInline(admin.TabularInline[ProductSpecification, Product]):
    model = ProductSpecification
    fields = ("name", "value", "position")
    extra = 0


class ProductOptionInline(admin.TabularInline[ProductOption, Product]):
    """Options here; their values on the option's own page (the change link)."""

    model = ProductOption
    fields = ("name", "position", "values_list")
    readonly_fields = ("values_list",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductOption]:
        return super().get_queryset(request).prefetch_related("values")

    @admin.display(description=_("values"))
    def values_list(self, obj: ProductOption) -> str:
        return ", ".join(value.value for value in obj.values.all())


class CategoryTreeFilter(admin.SimpleListFilter):
    """A category and everything below it, listed as the tree."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (str(category.pk), "\u2014\u2002" * category.depth + category.name)
            for category in Category.objects.only("pk", "name", "depth", "path")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        category = Category.objects.filter(pk=int(value)).only("path").first()
        if category is None:
            return queryset.none()
        in_tree = Product.categories.through.objects.filter(
            product_id=OuterRef("pk"), category__path__startswith=category.path
        )
        return queryset.filter(Exists(in_tree))


@admin.register(Product)
class ProductAdmin(ShopperVisibleAdmin[Product]):
    list_display = (
        "title",
        "brand",
        "price_min",
        "in_stock",
        "is_active",
        "is_featured",
        "units_sold",
        "updated_at",
    )
    list_filter = ("is_active", "is_featured", "in_stock", "brand", CategoryTreeFilter)
    list_select_related = ("brand",)
    search_fields = ("title", "slug", "variants__sku")
    search_help_text = _("Title, slug or SKU.")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("brand", "categories", "tags")
    readonly_fields = (
        "price_min",
        "price_max",
        "in_stock",
        "units_sold",
        "rating_average",
        "rating_count",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "brand", "categories", "tags", "description")}),
        (_("Visibility"), {"fields": ("is_active", "is_featured")}),
        (_("Search engines"), {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)}),
        (
            _("Kept by the shop"),
            {
                "fields": (
                    ("price_min", "price_max", "in_stock"),
                    ("units_sold", "rating_average", "rating_count"),
                    ("created_at", "updated_at"),
                )
            },
        ),
    )
    inlines = (ProductOptionInline, VariantInline, ProductImageInline, ProductSpecificationInline)
    actions = ("activate", "deactivate")

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        if change:  # locked as the stock services lock, the row re-read under the lock
            services.product_update(product_id=obj.pk, changes=changed_columns(obj, form))
        else:
            services.product_save(product=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is ProductImage:
            self.images_save(formset)
        else:
            super().save_formset(request, form, formset, change)

    def images_save(self, formset: BaseInlineFormSet[ProductImage, Product, Any]) -> None:
        """Images go through catalog.images, which makes their WebP
        renditions once, on upload, and deletes their files after commit.
        Records what changed as ``formset.save()`` would, for the history."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = set(formset.deleted_forms)
        for image_form in formset.forms:
            image = image_form.instance
            if image_form in deleted:
                if image.pk is not None:
                    product_image_delete(image=image)
                    formset.deleted_objects.append(image)
                continue
            if not image_form.has_changed():
                continue
            is_new = image.pk is None
            image.product = formset.instance  # new rows of a new product
            upload = image_form.cleaned_data["image"] if "image" in image_form.changed_data else None
            product_image_save(image=image, upload=upload)
            if is_new:
                formset.new_objects.append(image)
            else:
                formset.changed_objects.append((image, image_form.changed_data))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """After the variants are saved: the listing columns (price range, in
        stock) and the search vector follow them."""
        super().save_related(request, form, formsets, change)
        services.product_listing_refresh(product_ids=[form.instance.pk])
        search_vector_refresh(product_ids=[form.instance.pk])

    @admin.action(description=_("Activate the selected products"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = services.product_set_active(product_ids=queryset.values_list("pk", flat=True), is_active=True)
        self.message_user(
            request,
            ngettext("%(count)d product activated.", "%(count)d products activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate the selected products"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = services.product_set_active(
            product_ids=queryset.values_list("pk", flat=True), is_active=False
        )
        self.message_user(
            request,
            ngettext("%(count)d product deactivated.", "%(count)d products deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ProductOptionValueInline(admin.TabularInline[ProductOptionValue, ProductOption]):
    model = ProductOptionValue
    fields = ("value", "position")
    extra = 1


@admin.register(ProductOption)
class ProductOptionAdmin(ShopperVisibleAdmin[ProductOption]):
    """Reached from a product's options inline; edits an option's values."""

    list_display = ("name", "product")
    list_select_related = ("product",)
    search_fields = ("name", "product__title")
    autocomplete_fields = ("product",)
    inlines = (ProductOptionValueInline,)

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}  # not on the admin index: options belong to their product

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        search_vector_refresh(product_ids=[form.instance.product_id])
