from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.addressing import address_fields, address_format_lines


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if extra["is_staff"] is not True or extra["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Email is the login and is matched without regard to case.
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A customer or a staff member; the email address is the login."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    deleted_at = models.DateTimeField(
        _("deleted at"),
        null=True,
        blank=True,
        help_text=_("Set when the account was deleted and anonymised."),
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("email",)
        constraints = (models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),)

    def __str__(self) -> str:
        return self.email


class Address(models.Model):
    """An entry of a customer's address book, normalised for its country."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=50, blank=True, help_text=_("For example: Home, Work."))
    full_name = models.CharField(_("full name"), max_length=255)
    company_name = models.CharField(_("company"), max_length=255, blank=True)
    street_address_1 = models.CharField(_("street address"), max_length=255)
    street_address_2 = models.CharField(_("street address, line 2"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=255, blank=True)
    city_area = models.CharField(_("district"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country_code = models.CharField(_("country"), max_length=2)
    country_area = models.CharField(_("state or province"), max_length=128, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    is_default_shipping = models.BooleanField(_("default shipping address"), default=False)
    is_default_billing = models.BooleanField(_("default billing address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ("-is_default_shipping", "-is_default_billing", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("user",),
                condition=models.Q(is_default_shipping=True),
                name="accounts_address_one_default_shipping",
            ),
            models.UniqueConstraint(
                fields=("user",),
                condition=models.Q(is_default_billing=True),
                name="accounts_address_one_default_billing",
            ),
        )

    def __str__(self) -> str:
        return ", ".join(
            part
            for part in (
                self.full_name,
                self.street_address_1,
                self.postal_code,
                self.city,
                self.country_code,
            )
            if part
        )

    def get_absolute_url(self) -> str:
        return reverse("accounts:address_edit", kwargs={"pk": self.pk})

    def as_lines(self) -> list[str]:
        """The address as its country writes it on an envelope."""
        return address_format_lines(address_fields(self))
