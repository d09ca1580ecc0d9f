"""Reviews' part of "Download my data" and "Delete my account" (called by
``orders.privacy``, which gathers every app's part)."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F

from catalog.locks import products_lock
from reviews.models import Purchase, Review, ReviewReport, ReviewVote
from reviews.services import photos_delete_on_commit, product_rating_refresh


def reviews_export(user: AbstractBaseUser) -> dict[str, Any]:
    """The person's reviews (with their status and the shop's reply), the
    reviews they found helpful or reported, and their verified purchases."""
    reviews = Review.objects.filter(author_id=user.pk).select_related("product").prefetch_related("photos")
    return {
        "reviews": [
            {
                "product": review.product.title,
                "rating": review.rating,
                "title": review.title,
                "body": review.body,
                "shown_as": review.author_name,
                "variant": review.variant_label,
                "status": review.status,
                "rejection_reason": review.rejection_reason,
                "verified_purchase": review.verified_purchase,
                "photos": [photo.image.name for photo in review.photos.all()],
                "reply": review.reply,
                "created_at": review.created_at.isoformat(),
                "updated_at": review.updated_at.isoformat(),
            }
            for review in reviews.order_by("created_at", "pk")
        ],
        "helpful_votes": list(ReviewVote.objects.filter(user_id=user.pk).values_list("review_id", flat=True)),
        "reports": [
            {"review": report.review_id, "reason": report.reason, "note": report.note}
            for report in ReviewReport.objects.filter(user_id=user.pk).order_by("pk")
        ],
        "verified_purchases": [
            {"order": reference, "product": title}
            for reference, title in Purchase.objects.filter(user_id=user.pk)
            .order_by("pk")
            .values_list("reference", "product__title")
        ],
    }


@transaction.atomic
def reviews_erase(user: AbstractBaseUser) -> None:
    """Delete the person's reviews (with their photos, the products' ratings
    follow), their votes (the counts follow), reports and purchases."""
    reviews = Review.objects.filter(author_id=user.pk)
    product_ids = sorted(set(reviews.values_list("product_id", flat=True)))
    products_lock(product_ids=product_ids)
    for review in reviews.prefetch_related("photos"):
        photos_delete_on_commit(review.photos.all())
    reviews.delete()
    for product_id in product_ids:
        product_rating_refresh(product_id=product_id)
    voted = list(ReviewVote.objects.filter(user_id=user.pk).values_list("review_id", flat=True))
    Review.objects.filter(pk__in=voted).update(helpful_count=F("helpful_count") - 1)
    ReviewVote.objects.filter(user_id=user.pk).delete()
    ReviewReport.objects.filter(user_id=user.pk).delete()
    Purchase.objects.filter(user_id=user.pk).delete()
