"""Reviews and ratings: what a customer wrote about a product, its photos,
the "helpful" votes and reports of other shoppers, and the purchases that
make a review a verified one.

A product's average, count and histogram are not kept here but in the
catalog's listing columns (``Product.rating_*``), recomputed from the
published reviews by ``reviews.services.product_rating_refresh`` in the
transaction of every change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Variant

STARS = range(1, 6)


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    class Held(models.TextChoices):
        """Why a review waits for a moderator."""

        NONE = "", _("Not held")
        UNVERIFIED = "unverified", _("Not a verified purchase")
        LINKS = "links", _("Contains a link or an email address")
        REPORTED = "reported", _("Reported by shoppers")
        EDITED = "edited", _("Edited after publication")
        SETTING = "setting", _("All reviews are moderated")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    # Which variant the author bought (size, colour); kept if the variant goes.
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    # As the author named it when writing ("Red / M"): shown without a query.
    variant_label = models.CharField(_("variant"), max_length=120, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    # The name shown with the review, chosen when writing it.
    author_name = models.CharField(_("shown as"), max_length=60)
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("review"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    held = models.CharField(_("held because"), max_length=12, choices=Held.choices, blank=True, default="")
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    verified_purchase = models.BooleanField(_("verified purchase"), default=False)
    helpful_count = models.PositiveIntegerField(_("found helpful"), default=0)
    # Reports since a moderator last looked at the review.
    report_count = models.PositiveIntegerField(_("open reports"), default=0)
    reply = models.TextField(_("the shop's public reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("product", "author"), name="reviews_one_per_product_and_author"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_to_5"),
        )
        indexes = (
            models.Index(fields=("product", "status", "-published_at"), name="reviews_product_newest"),
            models.Index(fields=("product", "status", "-helpful_count"), name="reviews_product_helpful"),
            models.Index(fields=("status", "-report_count", "created_at"), name="reviews_moderation_queue"),
        )

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", kwargs={"slug": self.product.slug, "pk": self.pk})


class ReviewPhoto(models.Model):
    """A photo of a review, checked and resized like product images
    (``catalog.images``): ``renditions`` names the WebP thumbnails."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reviews/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.image.name or ""


class ReviewVote(models.Model):
    """ "Was this helpful? Yes": one per person and review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("review", "user"), name="reviews_one_vote_per_person"),
        )

    def __str__(self) -> str:
        return f"{self.user_id} found {self.review_id} helpful"


class ReviewReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive or abusive")
        OFF_TOPIC = "off_topic", _("Not about this product")
        PERSONAL = "personal", _("Contains personal information")
        OTHER = "other", _("Something else")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When a moderator decided on the review after this report: a person
    # may report a review again once their last report was looked at.
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = (
            models.UniqueConstraint(
                fields=("review", "user"),
                condition=Q(handled_at__isnull=True),
                name="reviews_one_open_report_per_person",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.review_id})"


class Purchase(models.Model):
    """A product a customer received: written by orders when an order is
    delivered (or a delivered guest order is claimed by an account). It makes
    the customer's review of the product a verified purchase."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(_("order number"), max_length=40)
    delivered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("verified purchase")
        verbose_name_plural = _("verified purchases")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "product", "reference"), name="reviews_purchase_once_per_order"
            ),
        )

    def __str__(self) -> str:
        return f"{self.reference}: {self.product_id}"
