"""Wishlists and back-in-stock alerts in the admin: read-only, for support
("what did I save?") and for seeing what shoppers want; the shoppers' own
pages change them."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wishlists.models import StockAlert, Wishlist, WishlistItem


class ItemInline(admin.TabularInline[WishlistItem, Wishlist]):
    model = WishlistItem
    fields = readonly_fields = ("product", "variant", "quantity", "note", "added_at", "price_seen")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Wishlist)
class WishlistAdmin(admin.ModelAdmin[Wishlist]):
    list_display = ("name", "user", "is_default", "items", "shared", "updated_at")
    list_filter = ("is_default",)
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "is_default", "share_token", "created_at", "updated_at")
    fields = readonly_fields
    inlines = (ItemInline,)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Wishlist]:
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description=_("items"), ordering="item_count")
    def items(self, obj: Wishlist) -> int:
        return obj.item_count  # type: ignore[attr-defined]

    @admin.display(description=_("shared"), boolean=True)
    def shared(self, obj: Wishlist) -> bool:
        return bool(obj.share_token)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StockAlert)
class StockAlertAdmin(admin.ModelAdmin[StockAlert]):
    """Who waits for which sold-out variant, in the order they are told."""

    list_display = ("variant", "email", "user", "created_at", "confirmed_at", "notified_at")
    list_filter = (("notified_at", admin.EmptyFieldListFilter), ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "variant__sku", "variant__product__title")
    list_select_related = ("variant__product", "user")
    readonly_fields = ("variant", "email", "user", "created_at", "confirmed_at", "notified_at")
    fields = readonly_fields
    ordering = ("variant", "created_at", "pk")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
