"""The admin of the category tree, brands and tags."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.admin.base import ShopperVisibleAdmin
from catalog.models import (
    Brand,
    Category,
    Tag,
)
from catalog.search import search_vector_refresh

# --- Category tree --------------------------------------------------------------


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
