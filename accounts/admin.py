from typing import Any

from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.forms import AddressForm
from accounts.models import Address, User


class AddressInline(admin.StackedInline[Address, User]):
    model = Address
    # The shopper's form: a country from the list, the address validated and
    # normalised for it.
    form = AddressForm
    extra = 0
    fields = (
        ("label", "full_name", "company_name"),
        ("street_address_1", "street_address_2"),
        ("postal_code", "city", "city_area"),
        ("country_code", "country_area", "phone"),
        ("is_default_shipping", "is_default_billing"),
    )


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email address already exists."), code="unique")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "date_joined", "groups")
    search_fields = ("email", "first_name", "last_name", "phone")
    readonly_fields = ("last_login", "date_joined", "deleted_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    inlines = (AddressInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Addresses are saved through the service, so that ticking "default"
        on one moves the flag from the others instead of hitting the
        one-default constraint."""
        addresses = formset.save(commit=False)
        for address in formset.deleted_objects:
            services.address_delete(address=address)
        for address in addresses:
            services.address_save(address=address)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    # The shopper's form: a country from the list, the address validated and
    # normalised for it.
    form = AddressForm
    fields = ("user", *AddressInline.fields)
    list_display = (
        "full_name",
        "user",
        "city",
        "postal_code",
        "country_code",
        "is_default_shipping",
        "is_default_billing",
    )
    list_filter = ("country_code", "is_default_shipping", "is_default_billing")
    search_fields = ("full_name", "company_name", "street_address_1", "city", "postal_code", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: Address, form: Any, change: bool) -> None:
        services.address_save(address=obj)

    def delete_model(self, request: HttpRequest, obj: Address) -> None:
        services.address_delete(address=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Address]) -> None:
        for address in queryset:
            services.address_delete(address=address)


# allauth's own admin shows an authenticator's `data`, which holds the TOTP
# secret and the recovery-code seed in the clear (the default MFA adapter does
# not encrypt them): anyone who may view it could pass another staff member's
# two-factor step. Staff may see that a user has two factors and delete them
# (to reset a locked-out user), never read, add or edit them.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__email",)
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False
