"""The header's search box: what it proposes while the shopper types."""

from typing import Any

from django.urls import reverse

from catalog import search
from catalog.models import Product


def search_suggest(*, query: str, limit: int = 8) -> dict[str, Any]:
    """What the header's search box proposes while typing: the best few
    active products (the same search as the listing, or its typo fallback)
    and corrected queries. Two queries at most."""
    query = search.search_query_clean(query)
    if len(query) < 2:
        return {"query": query, "products": [], "suggestions": []}
    active = Product.objects.filter(is_active=True)
    matches = search.product_search(queryset=active, query=query)
    columns = ("title", "slug", "price_min")
    products = list(matches.order_by(*search.SEARCH_ORDERING).values(*columns)[:limit])
    suggestions: list[str] = []
    if not products:
        fuzzy = search.product_search_fuzzy(queryset=active, query=query).order_by(*search.SEARCH_ORDERING)
        products = list(fuzzy.values(*columns)[:limit])
        suggestions = search.search_corrections(query=query, titles=[p["title"] for p in products])
    return {
        "query": query,
        "products": [
            {
                "title": p["title"],
                "url": reverse("catalog:product", kwargs={"slug": p["slug"]}),
                "price": None if p["price_min"] is None else str(p["price_min"]),
            }
            for p in products
        ],
        "suggestions": suggestions,
    }
