"""Personal access tokens in the admin: staff see who has which token and
may revoke one (a leaked key, a person who left), through the same service
as the account page. Nobody makes a token for someone else here, nor sees
a key: the shop keeps only its hash."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import AccessToken
from api.tokens import access_token_revoke


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin[AccessToken]):
    list_display = (
        "name",
        "user",
        "prefix",
        "scope_list",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "expires_at", "last_used_at")
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    ordering = ("-created_at", "-pk")
    fields = ("user", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description=_("scopes"))
    def scope_list(self, token: AccessToken) -> str:
        return ", ".join(token.scopes)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is made by its owner, on the account page

    def has_change_permission(self, request: HttpRequest, obj: AccessToken | None = None) -> bool:
        # The list's "Revoke" action needs the change permission; a token's
        # own page is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AccessToken | None = None) -> bool:
        return False  # revoked tokens stay, as a record of what could act as whom

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for token in live:
            access_token_revoke(user=token.user, token_id=token.pk)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(live))
            % {"count": len(live)},
            messages.SUCCESS,
        )
