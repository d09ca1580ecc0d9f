"""How the product page (a catalog template) shows reviews, without the
catalog importing this app: the template names the tags it uses,

    {% load review_tags %}
    {% product_reviews product as reviews %}
    {% json_ld page.json_ld|with_reviews:reviews %}
    {% include "reviews/_product_reviews.html" %}

``product_reviews`` parses the page's query string (``review_stars``,
``review_sort``, ``review_page``) and calls one selector: a view's work, in
two queries, for a section of a page that a lower layer renders.
"""

from typing import Any

from django import template
from django.http import HttpRequest

from reviews.forms import PAGE_PARAM, SORT_PARAM, STARS_PARAM, review_query_parse
from reviews.selectors import ReviewPage, ReviewSort, product_review_page

register = template.Library()

# How many of the reviews on show go into the page's structured data.
JSON_LD_REVIEWS = 5


@register.simple_tag(takes_context=True)
def product_reviews(context: template.Context, product: Any) -> ReviewPage:
    """The product's page of reviews for this request; asked again (the
    head's JSON-LD and the body's section are two template blocks), the
    same answer without a query."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return product_review_page(product=product)
    answered: dict[int, ReviewPage] = request.__dict__.setdefault("reviews_pages", {})
    if product.pk not in answered:
        stars, sort, page = review_query_parse(request.GET)
        answered[product.pk] = product_review_page(
            product=product, stars=stars, sort=sort, page=page, user=getattr(request, "user", None)
        )
    return answered[product.pk]


@register.filter
def with_reviews(data: dict[str, Any], reviews: ReviewPage) -> dict[str, Any]:
    """The product's JSON-LD with the reviews on show (schema.org Review),
    as Google's rich results take them beside ``aggregateRating``."""
    if not reviews.reviews:
        return data
    return {
        **data,
        "review": [
            {
                "@type": "Review",
                "name": review.title,
                "reviewBody": review.body,
                "datePublished": review.published_at.date().isoformat() if review.published_at else None,
                "author": {"@type": "Person", "name": review.author_name},
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": review.rating,
                    "bestRating": 5,
                    "worstRating": 1,
                },
            }
            for review in reviews.reviews[:JSON_LD_REVIEWS]
        ],
    }


@register.simple_tag
def reviews_query(reviews: ReviewPage, **changes: Any) -> str:
    """The query string of a reviews link: the current filter, sort and page
    with ``changes`` (``stars``, ``sort``, ``page``; None drops one)."""
    values: dict[str, Any] = {"stars": reviews.stars, "sort": reviews.sort, "page": reviews.number}
    values.update(changes)
    if "stars" in changes or "sort" in changes:
        values["page"] = changes.get("page")
    pairs = [
        (STARS_PARAM, values["stars"]),
        (SORT_PARAM, values["sort"] if values["sort"] != ReviewSort.HELPFUL else None),
        (PAGE_PARAM, values["page"] if values["page"] and values["page"] != 1 else None),
    ]
    query = "&".join(f"{name}={value}" for name, value in pairs if value)
    return f"?{query}#reviews" if query else "?#reviews"


@register.simple_tag
def review_sort_choices() -> list[tuple[str, Any]]:
    return list(ReviewSort.choices)
