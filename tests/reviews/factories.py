"""Reviews for tests, written through the services (so ratings are true)."""

from datetime import UTC, datetime

from accounts.models import User
from catalog.models import Product
from reviews.models import Purchase, Review
from reviews.services import ReviewInput, review_write
from tests.factories import UserFactory


def bought(user: User, product: Product, *, reference: str = "ORDER-1") -> Purchase:
    """The user received the product (as orders records a delivery)."""
    return Purchase.objects.create(
        user=user,
        product=product,
        variant=product.variants.first(),
        reference=reference,
        delivered_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def review_of(
    product: Product,
    *,
    rating: int = 5,
    user: User | None = None,
    verified: bool = True,
    title: str = "Does what it says",
    body: str = "Solid, well made and it arrived quickly.",
) -> Review:
    """A review by ``user`` (a new one by default); a verified buyer's is
    published at once, anyone else's waits for moderation."""
    user = user or UserFactory.create()
    if verified:
        bought(user, product)
    return review_write(
        user=user,
        product=product,
        data=ReviewInput(rating=rating, title=title, body=body, author_name=f"{user.first_name} L."),
    )
