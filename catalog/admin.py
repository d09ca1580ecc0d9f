"""The staff admin of the catalog: the category tree, brands, tags, products
with their variants, images, specifications and options, stock adjustments
with a required reason, a low-stock list and the read-only stock ledger.

Everything is saved through the catalog's services (paths of the category
tree, rendered descriptions, listing columns, search vectors, image
renditions, stock with its ledger), never by the admin's own ``save()``.
Change lists select their related rows up front, so their query count does
not grow with the page.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import locks, services
from catalog.image_forms import ProductImageForm
from catalog.images import product_image_delete, product_image_save
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
from catalog.page_cache import catalog_generation_bump
from catalog.search import search_vector_refresh
from catalog.stock import ADJUST_REASONS, StockError, stock_adjust


def _choices_freeze(field: forms.Field | None, queryset: QuerySet[Any], label: Callable[[Any], str]) -> None:
    """Give a model choice field of an inline a fixed list of choices, read
    once: otherwise every form of the formset runs its own query for them."""
    if not isinstance(field, forms.ModelChoiceField):
        return
    field.queryset = queryset
    choices = [(obj.pk, label(obj)) for obj in queryset]
    field.choices = (
        choices if isinstance(field, forms.ModelMultipleChoiceField) else [("", "---------"), *choices]
    )


def _option_value_label(value: ProductOptionValue) -> str:
    return f"{value.option.name}: {value.value}"


def _option_values(product_id: int | None) -> QuerySet[ProductOptionValue]:
    if product_id is None:
        return ProductOptionValue.objects.none()
    return (
        ProductOptionValue.objects.filter(option__product_id=product_id)
        .select_related("option")
        .order_by("option__position", "option__pk", "position", "pk")
    )


# --- Category tree --------------------------------------------------------------


class ShopperVisibleAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Deleting what shoppers see makes cached catalog pages stale (saves go
    through services that already do)."""

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        super().delete_model(request, obj)
        catalog_generation_bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        super().delete_queryset(request, queryset)
        catalog_generation_bump()


class CategoryAdminForm(forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = ("name", "slug", "parent", "description", "image", "position", "is_active", "is_featured")

    def clean_parent(self) -> Category | None:
        parent: Category | None = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk is not None and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(_("A category cannot be moved below itself."))
        return parent


def _tree_order(rows: Iterable[tuple[int, int | None, int, str]]) -> list[int]:
    """Category ids in tree order: each category after its parent, siblings
    by position, then name."""
    children: dict[int | None, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, parent_id, position, name in rows:
        children[parent_id].append((position, name, pk))
    order: list[int] = []
    stack = sorted(children[None], reverse=True)
    while stack:
        _position, _name, pk = stack.pop()
        order.append(pk)
        stack.extend(sorted(children[pk], reverse=True))
    return order


class CategoryTreeChangeList(ChangeList):
    """The category list in tree order, siblings by position (the stored
    ``path`` orders them by id). A shop has hundreds of categories, not
    millions: one small query for the order, then a CASE in the ORDER BY."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        order = _tree_order(Category.objects.order_by().values_list("pk", "parent_id", "position", "name"))
        tree_position = (
            Case(*(When(pk=pk, then=Value(n)) for n, pk in enumerate(order)), output_field=IntegerField())
            if order
            else Value(0, output_field=IntegerField())
        )
        self.root_queryset = self.root_queryset.annotate(tree_position=tree_position)
        return super().get_queryset(request, exclude_parameters)

    def _get_default_ordering(self) -> list[str]:
        return ["tree_position"]


@admin.register(Category)
class CategoryAdmin(ShopperVisibleAdmin[Category]):
    form = CategoryAdminForm
    list_display = ("tree_name", "slug", "position", "is_active", "is_featured")
    list_display_links = ("tree_name",)
    list_editable = ("position",)
    list_filter = ("is_active", "is_featured")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    list_per_page = 200

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CategoryTreeChangeList

    @admin.display(description=_("name"), ordering="tree_position")
    def tree_name(self, obj: Category) -> str:
        return format_html("{}{}", "\u2014\u2002" * obj.depth, obj.name)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        services.category_save(category=obj)


# --- Brands and tags ------------------------------------------------------------


@admin.register(Brand)
class BrandAdmin(ShopperVisibleAdmin[Brand]):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Brand, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:  # Brand names are part of the products' search vectors.
            search_vector_refresh(product_ids=obj.products.values_list("pk", flat=True))


@admin.register(Tag)
class TagAdmin(ShopperVisibleAdmin[Tag]):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            search_vector_refresh(product_ids=obj.products.values_list("pk", flat=True))


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
        _choices_freeze(
            formset.form.base_fields.get("option_values"),
            _option_values(obj.pk if obj else None),
            _option_value_label,
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
        _choices_freeze(
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
        if change:
            # The stock services lock variants before their product; a save
            # here that locked the product first could deadlock with a checkout.
            locks.variants_lock(variant_ids=obj.variants.values_list("pk", flat=True))
            locks.products_lock(product_ids=[obj.pk])
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


# --- Variants and stock ---------------------------------------------------------


class StockAdjustForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=lambda: [("", "---------"), *((r.value, str(r.label)) for r in ADJUST_REASONS)],
    )
    quantity_change = forms.IntegerField(
        label=_("Quantity change"),
        help_text=_("Units to add; for an adjustment, a negative number removes units."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        required=False,
        help_text=_("A delivery note, an order number, ..."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        quantity, reason = cleaned.get("quantity_change"), cleaned.get("reason")
        if quantity == 0:
            self.add_error("quantity_change", _("Enter a number other than zero."))
        elif quantity is not None and quantity < 0 and reason and reason != StockMovement.Reason.ADJUSTMENT:
            self.add_error("quantity_change", _("Only an adjustment can remove units."))
        return cleaned


class LowStockFilter(admin.SimpleListFilter):
    """The low-stock list: variants whose available units (on hand minus
    reserved) are at or below their threshold, or gone."""

    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("low", _("Low stock")), ("out", _("Out of stock"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "low":
            return queryset.filter(stock_on_hand__lte=F("stock_reserved") + F("low_stock_threshold"))
        if self.value() == "out":
            return queryset.filter(stock_on_hand__lte=F("stock_reserved"))
        return queryset


@admin.register(Variant)
class VariantAdmin(ShopperVisibleAdmin[Variant]):
    """Variants are added on their product's page; here staff find them by
    SKU, see what runs low and adjust stock."""

    list_display = (
        "sku",
        "product",
        "price",
        "stock_on_hand",
        "stock_reserved",
        "available",
        "low_stock_threshold",
        "is_active",
    )
    list_select_related = ("product",)
    list_filter = (LowStockFilter, "is_active")
    search_fields = ("sku", "barcode", "product__title")
    fields = (
        "product",
        "sku",
        "barcode",
        "option_values",
        ("price", "compare_at_price"),
        "weight_grams",
        "is_active",
        "position",
        "low_stock_threshold",
        ("stock_on_hand", "stock_reserved", "stock_adjust_link"),
    )
    readonly_fields = ("product", "stock_on_hand", "stock_reserved", "stock_adjust_link")
    actions = ("stock_adjust_action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Variant | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        _choices_freeze(
            form.base_fields.get("option_values"),
            _option_values(obj.product_id if obj else None),
            _option_value_label,
        )
        return form

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.product_listing_refresh(product_ids=[form.instance.product_id])
        search_vector_refresh(product_ids=[form.instance.product_id])

    @admin.display(description=_("available"))
    def available(self, obj: Variant) -> int:
        return obj.stock_available

    @admin.display(description=_("stock"))
    def stock_adjust_link(self, obj: Variant) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:catalog_variant_stock_adjust", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Adjust stock"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/adjust-stock/",
                self.admin_site.admin_view(self.stock_adjust_view),
                name="catalog_variant_stock_adjust",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Adjust stock of the selected variants"), permissions=["change"])
    def stock_adjust_action(self, request: HttpRequest, queryset: QuerySet[Variant]) -> HttpResponse | None:
        """The intermediate page: the same change, with its reason, for every
        selected variant, all or none."""
        variants = list(queryset.select_related("product").order_by("pk"))
        form = StockAdjustForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and self._stock_adjust(request, form, variants):
            return None  # back to the change list, with the message
        return self._stock_adjust_render(request, form, variants, action=True)

    def stock_adjust_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The same page for one variant, linked from its change page and
        from its product's variants."""
        variant = get_object_or_404(Variant.objects.select_related("product"), pk=object_id)
        if not self.has_change_permission(request, variant):
            raise PermissionDenied
        form = StockAdjustForm(request.POST if request.method == "POST" else None)
        if form.is_bound and self._stock_adjust(request, form, [variant]):
            return HttpResponseRedirect(reverse("admin:catalog_variant_change", args=[variant.pk]))
        return self._stock_adjust_render(request, form, [variant], action=False)

    def _stock_adjust(self, request: HttpRequest, form: StockAdjustForm, variants: list[Variant]) -> bool:
        if not form.is_valid():
            return False
        data = form.cleaned_data
        by = request.user if request.user.is_authenticated else None
        try:
            with transaction.atomic():
                for variant in variants:
                    stock_adjust(
                        variant=variant,
                        quantity_change=data["quantity_change"],
                        reason=data["reason"],
                        note=data["note"],
                        reference=data["reference"],
                        by=by,
                    )
        except StockError as error:
            form.add_error(None, str(error))
            return False
        self.message_user(
            request,
            ngettext(
                "Stock of %(skus)s changed by %(change)+d.",
                "Stock of %(skus)s changed by %(change)+d each.",
                len(variants),
            )
            % {"skus": ", ".join(v.sku for v in variants), "change": data["quantity_change"]},
            messages.SUCCESS,
        )
        return True

    def _stock_adjust_render(
        self, request: HttpRequest, form: StockAdjustForm, variants: list[Variant], *, action: bool
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Adjust stock"),
            "opts": self.opts,
            "form": form,
            "variants": variants,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/catalog/variant/stock_adjust.html", context)


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin[StockMovement]):
    """The stock ledger, read-only: rows are written by catalog.stock only."""

    list_display = (
        "created_at",
        "variant",
        "product_title",
        "reason",
        "on_hand_change",
        "reserved_change",
        "on_hand_after",
        "reserved_after",
        "reference",
        "created_by",
        "note",
    )
    list_select_related = ("variant__product", "created_by")
    list_filter = ("reason", "created_at")
    search_fields = ("variant__sku", "reference")
    search_help_text = _("SKU or reference.")
    # The ledger grows forever: no COUNT(*) of the whole table on every page.
    show_full_result_count = False

    @admin.display(description=_("product"), ordering="variant__product__title")
    def product_title(self, obj: StockMovement) -> str:
        return obj.variant.product.title

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False
