"""Believable reviews for the demo catalog (``seed_demo``): forty demo
reviewer accounts, and for a good share of the demo products (popular ones
more often) up to twelve published reviews each, with a positive lean in the
stars, text that fits the product's category, a variant now and then,
"helpful" votes by other reviewers and a few replies from the shop.

Everything is drawn from a random generator seeded by the demo product's
index (its ``DEMO-<index>-<n>`` SKUs), so a product gets the same reviews
on every database. A product that has a review by a demo reviewer already
is left alone: running again adds nothing, and after a larger ``seed_demo``
it adds only the new products' reviews.

Rows are written in bulk, products in batches of ``BATCH_SIZE`` (one
transaction each, the products locked first, as every change of a rating
is): the reviews, their votes and their dates cost a fixed number of
queries per batch, however many reviews it holds. The ratings of the
products reviewed are then recomputed by ``product_ratings_rebuild``, one
aggregate and one update per product: well under a second for the 200
products of ``make run``, about a third of the two and a half minutes that
the whole 100,000-product catalog takes on SQLite. A set-based rebuild (one
grouped aggregate and one UPDATE per batch) would need a bulk writer of the
rating columns in the catalog.

The reviewers are not verified buyers (no ``Purchase`` rows are made up),
so their reviews carry no "Verified purchase" badge; they are published as
a moderator would have published them.
"""

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Prefetch, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from catalog.locks import products_lock
from catalog.models import Category, Product, Variant
from catalog.seeding.plans import SKU_PREFIX, sku_index
from catalog.seeding.run import Progress
from catalog.seeding.vocabulary import TREE, Kind, TreeNode
from reviews.demo_text import (
    ASPECT_TITLES,
    ASPECTS,
    CLOSERS,
    GENERAL,
    OPENERS,
    REPLIES,
    REVIEWERS,
    SIZE_SENTENCES,
    TITLES,
    TOPICS,
    UNFIT,
)
from reviews.models import Review, ReviewVote
from reviews.services import product_ratings_rebuild, variant_label

BATCH_SIZE = 500  # products per transaction
MOST_REVIEWS = 12
HISTORY_DAYS = 240  # reviews are spread over the last eight months
MODERATION_WAITS = (20, 45, 90, 180, 360, 720, 1440, 2160, 4320)  # minutes

# (first name, last name): the reviewers reviewer01@example.com and on.
STAR_WEIGHTS = ((3, 3, 8, 28, 58), (8, 12, 25, 30, 25), (25, 25, 25, 15, 10))
QUALITY_WEIGHTS = (75, 20, 5)


@dataclass
class DemoReviewsResult:
    reviewers_created: int = 0
    products_checked: int = 0
    products_reviewed: int = 0  # this run
    products_existing: int = 0  # with demo reviews already
    reviews_created: int = 0
    votes_created: int = 0
    replies_created: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Subject:
    """What a product is, as its reviews speak of it."""

    noun: str
    it: str
    aspects: tuple[str, ...]  # the category's, the most specific first
    general: tuple[str, ...]  # those that fit anything
    sized: bool  # clothes and shoes: a size in the variant is worth a sentence


@dataclass
class _Draft:
    review: Review
    voters: list[User]  # who found it helpful
    wait: int  # minutes from writing to publication


def demo_reviewer_emails() -> list[str]:
    return [f"reviewer{n:02d}@example.com" for n in range(1, len(REVIEWERS) + 1)]


def demo_reviews_create(
    *, products: int | None = None, seed: int = 1, progress: Progress | None = None
) -> DemoReviewsResult:
    """Add demo reviews to the first ``products`` demo products (all when
    None), skipping those that have demo reviews already; the touched
    products' ratings are recomputed. ``progress(done, total)`` is called
    after every batch."""
    if products is not None and products < 0:
        raise ValueError("The number of products cannot be negative.")
    started = time.monotonic()
    now = timezone.now()
    result = DemoReviewsResult()
    reviewers = _reviewers_ensure(now=now, result=result)
    targets = _demo_products(limit=products)
    categories = dict(Category.objects.values_list("pk", "name"))
    kinds = _kinds_by_leaf()
    for start in range(0, len(targets), BATCH_SIZE):
        batch = targets[start : start + BATCH_SIZE]
        with transaction.atomic():
            _batch_review(
                batch=batch,
                reviewers=reviewers,
                categories=categories,
                kinds=kinds,
                seed=seed,
                now=now,
                result=result,
            )
        result.products_checked += len(batch)
        if progress is not None:
            progress(result.products_checked, len(targets))
    result.seconds = time.monotonic() - started
    return result


def _reviewers_ensure(*, now: datetime, result: DemoReviewsResult) -> list[User]:
    """The demo reviewers, created where missing (unusable passwords, verified
    addresses), in the order of ``REVIEWERS``."""
    emails = demo_reviewer_emails()
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    rng = random.Random("reviews-demo:reviewers")  # noqa: S311 - demo data, not secrets
    missing = []
    for email, (first_name, last_name) in zip(emails, REVIEWERS, strict=True):
        joined = now - timedelta(days=HISTORY_DAYS + rng.randint(10, 400))
        if email not in existing:
            user = User(email=email, first_name=first_name, last_name=last_name, date_joined=joined)
            user.set_unusable_password()
            missing.append(user)
    if missing:
        User.objects.bulk_create(missing)
        result.reviewers_created = len(missing)
        existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    users = [existing[email] for email in emails]
    with_address = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True)
        for user in users
        if user.pk not in with_address
    )
    return users


def _demo_products(*, limit: int | None) -> list[tuple[int, int]]:
    """(index, product id) of the demo catalog's products by index, the
    first ``limit`` of them."""
    indices: dict[int, int] = {}
    skus = Variant.objects.filter(sku__startswith=SKU_PREFIX).values_list("product_id", "sku")
    for product_id, sku in skus:
        try:
            index = sku_index(sku)
        except ValueError:  # a SKU someone else gave the prefix
            continue
        indices[product_id] = min(index, indices.get(product_id, index))
    targets = sorted((index, product_id) for product_id, index in indices.items())
    return targets if limit is None else targets[:limit]


def _kinds_by_leaf() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}

    def walk(tree: dict[str, TreeNode]) -> None:
        for name, node in tree.items():
            if isinstance(node, Kind):
                kinds[name] = node
            else:
                walk(node)

    walk(TREE)
    return kinds


def _batch_review(
    *,
    batch: Sequence[tuple[int, int]],
    reviewers: Sequence[User],
    categories: dict[int, str],
    kinds: dict[str, Kind],
    seed: int,
    now: datetime,
    result: DemoReviewsResult,
) -> None:
    """Review the products of one batch that have no demo reviews yet."""
    product_ids = [product_id for _index, product_id in batch]
    # Locked before any review row, as every change of a rating is.
    products_lock(product_ids=product_ids)
    reviewed = set(
        Review.objects.filter(product_id__in=product_ids, author__in=reviewers)
        .values_list("product_id", flat=True)
        .distinct()
    )
    result.products_existing += len(reviewed)
    todo = [product_id for product_id in product_ids if product_id not in reviewed]
    products = Product.objects.filter(pk__in=todo, is_active=True).only("title", "is_featured", "units_sold")
    by_id = {product.pk: product for product in products}
    # Which products get how many reviews, before loading what the reviews need.
    chosen: list[tuple[Product, random.Random, int]] = []
    for index, product_id in batch:
        if (product := by_id.get(product_id)) is not None:
            rng = random.Random(f"reviews-demo:{seed}:{index}")  # noqa: S311 - demo data, not secrets
            if count := _review_count(product=product, rng=rng):
                chosen.append((product, rng, count))
    if not chosen:
        return
    prefetch_related_objects(
        [product for product, _rng, _count in chosen],
        "categories",
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(is_active=True).prefetch_related("option_values__option"),
        ),
    )
    drafts = [
        draft
        for product, rng, count in chosen
        for draft in _product_reviews(
            product=product,
            subject=_subject(product=product, categories=categories, kinds=kinds),
            count=count,
            reviewers=reviewers,
            rng=rng,
            now=now,
        )
    ]
    reviews = Review.objects.bulk_create([draft.review for draft in drafts], batch_size=1000)
    _history_set(drafts)
    votes = ReviewVote.objects.bulk_create(
        [ReviewVote(review=draft.review, user=user) for draft in drafts for user in draft.voters],
        batch_size=2000,
    )
    touched = [product.pk for product, _rng, _count in chosen]
    product_ratings_rebuild(product_ids=touched)
    result.products_reviewed += len(touched)
    result.reviews_created += len(reviews)
    result.votes_created += len(votes)
    result.replies_created += sum(1 for review in reviews if review.reply)


def _history_set(drafts: Sequence[_Draft]) -> None:
    """Date the reviews just inserted as written before their publication
    (``created_at`` is set to now on insert), in one UPDATE: the time each
    waited for a moderator is one of ``MODERATION_WAITS``."""
    waits: dict[int, list[int]] = {}
    for draft in drafts:
        waits.setdefault(draft.wait, []).append(draft.review.pk)
    Review.objects.filter(pk__in=[draft.review.pk for draft in drafts]).update(
        created_at=Case(
            *(
                When(pk__in=pks, then=F("published_at") - timedelta(minutes=minutes))
                for minutes, pks in sorted(waits.items())
            ),
            output_field=DateTimeField(),
        ),
        updated_at=Coalesce("replied_at", "published_at"),
    )


def _subject(*, product: Product, categories: dict[int, str], kinds: dict[str, Kind]) -> _Subject:
    """The noun and the aspects of a product, from its category and their
    ancestors (the most specific first)."""
    names = [
        categories.get(int(pk), "")
        for category in product.categories.all()
        for pk in category.path.strip("/").split("/")
        if pk
    ]
    unfit = {aspect for name in names for aspect in UNFIT.get(name, ())}
    aspects: list[str] = []
    for name in reversed(names):
        aspects += [a for a in TOPICS.get(name, ()) if a not in aspects and a not in unfit]
    # The title ends with the kind's noun ("Alpine Merino Wool Sweater").
    nouns = sorted((noun for name in names if name in kinds for noun in kinds[name].nouns), key=len)
    noun = next((n for n in reversed(nouns) if product.title.endswith(n)), "")
    return _Subject(
        noun=_lower(noun) if noun else "product",
        it="them" if noun.endswith("s") else "it",
        aspects=tuple(aspects),
        general=tuple(a for a in GENERAL if a not in aspects and a not in unfit),
        sized=any(name in ("Clothing", "Shoes") for name in names),
    )


def _lower(noun: str) -> str:
    """ "T-Shirt" as in a sentence: "T-shirt"; "3D Puzzle": "3D puzzle"."""
    words = []
    for word in noun.split():
        if word.startswith("T-"):
            words.append("T-" + word[2:].lower())
        elif any(char.isdigit() for char in word):
            words.append(word)
        else:
            words.append(word.lower())
    return " ".join(words)


def _review_count(*, product: Product, rng: random.Random) -> int:
    """How many reviews a product gets: popular products are reviewed more
    often and more; many get none."""
    if product.is_featured or product.units_sold:
        chance, count = 0.85, 1 + rng.randint(0, 2) + product.units_sold // 3
    else:
        chance, count = 0.35, rng.randint(1, 3)
    return min(count, MOST_REVIEWS) if rng.random() < chance else 0


def _product_reviews(
    *,
    product: Product,
    subject: _Subject,
    count: int,
    reviewers: Sequence[User],
    rng: random.Random,
    now: datetime,
) -> Iterable[_Draft]:
    """The reviews of one product, each by another reviewer."""
    weights = STAR_WEIGHTS[rng.choices(range(3), QUALITY_WEIGHTS)[0]]
    authors = rng.sample(range(len(reviewers)), count)
    variants = [variant for variant in product.variants.all() if variant.option_values.all()]
    for author in authors:
        rating = rng.choices(range(1, 6), weights)[0]
        variant = rng.choice(variants) if variants and rng.random() < 0.6 else None
        size = (
            next((v.value for v in variant.option_values.all() if v.option.name == "Size"), None)
            if variant is not None and subject.sized
            else None
        )
        published = now - timedelta(seconds=rng.randint(3600 * 12, HISTORY_DAYS * 86400))
        user = reviewers[author]
        reply = ""
        replied = None
        if rng.random() < (0.3 if rating <= 2 else 0.04):
            reply = rng.choice(REPLIES[_mood(rating)]).format(name=user.first_name, noun=subject.noun)
            replied = min(published + timedelta(hours=rng.randint(2, 96)), now)
        helpful = 0 if rng.random() < 0.55 else min(1 + int(rng.expovariate(1 / 3)), len(reviewers) - 1)
        others = [reviewer for n, reviewer in enumerate(reviewers) if n != author]
        title, body = _text(rating=rating, subject=subject, size=size, rng=rng)
        review = Review(
            product=product,
            variant=variant,
            variant_label=variant_label(variant) if variant is not None else "",
            author=user,
            author_name=f"{user.first_name} {user.last_name[:1]}.",
            rating=rating,
            title=title,
            body=body,
            status=Review.Status.PUBLISHED,
            verified_purchase=False,
            helpful_count=helpful,
            reply=reply,
            replied_at=replied,
            published_at=published,
            moderated_at=published,
        )
        yield _Draft(review=review, voters=rng.sample(others, helpful), wait=rng.choice(MODERATION_WAITS))


def _mood(rating: int) -> str:
    return "good" if rating >= 4 else "mixed" if rating == 3 else "bad"


def _text(*, rating: int, subject: _Subject, size: str | None, rng: random.Random) -> tuple[str, str]:
    """A title and a body of one to five sentences: maybe an opener, what the
    reviewer thinks of two or three aspects (as the stars say; the
    category's own first), maybe a closing word. A title that names an
    aspect names one the body praises (or pans) in the same mood."""
    mood = _mood(rating)
    own = rng.sample(subject.aspects, min(len(subject.aspects), rng.randint(1, 2)))
    extra = rng.sample(subject.general, 1) if subject.general and (len(own) < 2 or rng.random() < 0.4) else []
    aspects = own + extra
    moods = [mood] * len(aspects)
    if rating == 4 and len(aspects) > 1 and rng.random() < 0.4:
        moods[-1] = "mixed"
    elif rating == 3:
        moods = ["good", *(rng.choice(("mixed", "bad")) for _ in aspects[1:])]
    elif rating == 2 and len(aspects) > 1 and rng.random() < 0.5:
        moods[-1] = "mixed"
    sentences = []
    if rng.random() < 0.3:
        sentences.append(rng.choice(OPENERS))
    for aspect, aspect_mood in zip(aspects, moods, strict=True):
        if size is not None and aspect in ("fit", "shoe_fit"):
            sentences.append(SIZE_SENTENCES[aspect_mood].format(size=size))
            continue
        good, mixed, bad = ASPECTS[aspect]
        sentences.append(rng.choice({"good": good, "mixed": mixed, "bad": bad}[aspect_mood]))
    if rng.random() < 0.4:
        sentences.append(rng.choice(CLOSERS[mood]))
    body = " ".join(sentences).format(noun=subject.noun, it=subject.it, weeks=rng.randint(2, 12))
    named = [a for a, m in zip(aspects, moods, strict=True) if a in ASPECT_TITLES and m == mood != "mixed"]
    if named and rng.random() < 0.4:
        good_title, bad_title = ASPECT_TITLES[named[0]]
        title = good_title if mood == "good" else bad_title
    else:
        title = rng.choice(TITLES[rating]).format(noun=subject.noun)
    return title[:120], body
