from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Address, User


class AddressInline(admin.StackedInline[Address, User]):
    model = Address
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
        "marketing_consent",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "marketing_consent", "date_joined", "groups")
    search_fields = ("email", "first_name", "last_name", "phone")
    readonly_fields = ("last_login", "date_joined", "marketing_consent_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Consent"), {"fields": ("marketing_consent", "marketing_consent_at")}),
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


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
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
