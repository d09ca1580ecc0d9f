"""Product search, behind three functions so that a dedicated engine could
replace it without touching the views: ``product_search`` (what matches, and
how well), ``product_search_fuzzy`` (typo-tolerant fallback) and
``search_corrections`` ("did you mean ...").

On PostgreSQL a product's ``search_vector`` is a stored, weighted tsvector
behind a GIN index (migration 0002):

- A: the title, stemmed (``english``) and as written (``simple``), so that
  "jackets" finds "Jacket" and the prefix "runn" finds "Running";
- B: the SKUs of its active variants (also with their separators turned
  into spaces, so "sku-0001" finds "SKU-000123"), the brand name, the tags;
- C: the description, stemmed.

A query is ``websearch_to_tsquery`` (quotes, ``-word``, ``or``) OR the same
terms as prefixes (``blu jack`` finds "Blue Jacket"), ranked by ``ts_rank``;
an exact SKU (any case) puts its product first. When nothing matches, the
title's trigram index finds titles that look alike (``word_similarity``,
threshold ``pg_trgm.word_similarity_threshold`` set per connection in
settings), and those titles suggest corrected queries.

On SQLite (the demo) every word must appear in the title, a SKU or the brand
name (``icontains``); there is no fuzzy fallback.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from catalog.models import Brand, Product, Tag, Variant
from catalog.page_cache import catalog_generation_bump

# Longer input is cut here, silently for the search itself (the listing page
# says so); nobody types 200 characters into a shop's search box on purpose.
MAX_QUERY_LENGTH = 200
# The typo fallback shows at most this many of the closest titles.
FUZZY_LIMIT = 96
STEMMED = "english"
VERBATIM = "simple"

# A word, a "quoted phrase" (the closing quote may be missing), each
# optionally negated with a leading minus.
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# The letters and digits of a word: what PostgreSQL's parser keeps as lexemes.
# Everything else (tsquery operators, quotes, backslashes) is dropped, so a
# query built from these pieces is always valid tsquery syntax.
_PIECE_RE = re.compile(r"[^\W_]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase as typed (``text``, lower case, without its
    minus) and its letter/digit runs (``pieces``: "t-shirt" is ("t", "shirt"))."""

    text: str
    pieces: tuple[str, ...]
    negated: bool = False
    phrase: bool = False
    or_before: bool = False


def search_query_clean(raw: str) -> str:
    """What is searched for: control characters (NUL breaks PostgreSQL text)
    become spaces, runs of space collapse, and the result is at most
    ``MAX_QUERY_LENGTH`` characters.

    >>> search_query_clean("  blue\\x00  jacket ")
    'blue jacket'
    >>> len(search_query_clean("x" * 5000))
    200
    """
    return " ".join(_CONTROL_RE.sub(" ", raw).split())[:MAX_QUERY_LENGTH].strip()


def search_terms(query: str) -> list[Term]:
    """The query in websearch syntax, parsed.

    >>> [(t.text, t.pieces, t.negated, t.phrase, t.or_before) for t in search_terms('"red t-shirt" -wool')]
    [('red t-shirt', ('red', 't', 'shirt'), False, True, False), ('wool', ('wool',), True, False, False)]
    >>> [(t.text, t.or_before) for t in search_terms("Cap or hat")]
    [('cap', False), ('hat', True)]
    """
    terms: list[Term] = []
    or_pending = False
    for match in _TOKEN_RE.finditer(query):
        minus, phrase, word = match.groups()
        negated = bool(minus)
        if word is not None:
            if word.lower() == "or" and terms:
                or_pending = True
                continue
            negated = word.startswith("-")
            text = word.lstrip("-")
        else:
            text = phrase
        text = text.lower()
        pieces = tuple(_PIECE_RE.findall(text))
        if not pieces:
            continue
        terms.append(Term(text, pieces, negated=negated, phrase=word is None, or_before=or_pending))
        or_pending = False
    return terms


def prefix_tsquery(terms: Iterable[Term]) -> str:
    """A ``to_tsquery`` expression in which every word is also a prefix of a
    lexeme: the last piece of each word gets ``:*``.

    >>> prefix_tsquery(search_terms('blu t-sh -wool "red cap" or hat'))
    'blu:* & (t <-> sh:*) & !wool:* & (red <-> cap) | hat:*'
    """
    parts: list[str] = []
    for term in terms:
        pieces = list(term.pieces)
        if not term.phrase:
            pieces[-1] += ":*"
        expression = " <-> ".join(pieces)
        if len(pieces) > 1:
            expression = f"({expression})"
        if term.negated:
            expression = f"!{expression}"
        if parts:
            parts.append(" | " if term.or_before else " & ")
        parts.append(expression)
    return "".join(parts)


def search_is_full_text() -> bool:
    """PostgreSQL searches with full text and trigrams; other databases with ``icontains``."""
    return connection.vendor == "postgresql"


def search_vector_refresh(*, product_ids: Iterable[int]) -> None:
    """Recompute the stored search vector of these products, in one UPDATE.

    Whoever changes what a product is found by must call it after the change
    (in the same transaction): ``catalog.services.product_save`` does for the
    title and description; code that changes a product's variants (SKUs,
    active flags), its brand (or a brand's name: pass the brand's product
    ids), its tags (or a tag's name), the catalog import and the demo seeding
    call it for the products they touched, in batches. A no-op on SQLite.
    """
    ids = list(product_ids)
    if not ids:
        return
    catalog_generation_bump()
    if not search_is_full_text():
        return
    skus = (
        Variant.objects.filter(product=OuterRef("pk"), is_active=True)
        .order_by()
        .values("product")
        .annotate(text=StringAgg("sku", delimiter=Value(" ")))
        .values("text")
    )
    tags = (
        Tag.objects.filter(products=OuterRef("pk"))
        .order_by()
        .values("products")
        .annotate(text=StringAgg("name", delimiter=Value(" ")))
        .values("text")
    )
    brand = Brand.objects.filter(pk=OuterRef("brand_id")).values("name")
    sku_text = Coalesce(Subquery(skus), Value(""), output_field=TextField())
    # "SKU-000123" is parsed as "sku" and the number "-000123"; with its
    # separators as spaces it is also "sku" "000123", which prefixes match.
    sku_words = Func(sku_text, Value("-_/."), Value("    "), function="TRANSLATE", output_field=TextField())
    Product.objects.filter(pk__in=ids).update(
        search_vector=(
            SearchVector("title", config=STEMMED, weight="A")
            + SearchVector("title", config=VERBATIM, weight="A")
            + SearchVector(
                sku_text,
                sku_words,
                Coalesce(Subquery(brand), Value(""), output_field=TextField()),
                Coalesce(Subquery(tags), Value(""), output_field=TextField()),
                config=VERBATIM,
                weight="B",
            )
            + SearchVector("description", config=STEMMED, weight="C")
        )
    )


def _sku_match(query: str) -> Case | Value:
    """1 for the product of the variant whose SKU is exactly the query (any
    case), else 0. An uncorrelated subquery on the ``UPPER(sku)`` index,
    evaluated once per query."""
    if " " in query or len(query) > Variant._meta.get_field("sku").max_length:  # type: ignore[operator]
        return Value(0, output_field=IntegerField())
    products = Variant.objects.filter(sku__iexact=query, is_active=True).values("product_id")
    return Case(When(pk__in=products, then=Value(1)), default=Value(0), output_field=IntegerField())


def product_search(*, queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """The products of ``queryset`` that match ``query`` (cleaned by
    ``search_query_clean``), annotated with ``search_rank`` (higher is better)
    and ``sku_match`` (1 when the query is one of its SKUs). Order by
    ``SEARCH_ORDERING`` for relevance."""
    terms = search_terms(query)
    if not terms:
        return _unranked(queryset.none())
    if not search_is_full_text():
        return _unranked(_product_search_simple(queryset=queryset, terms=terms))
    tsquery = SearchQuery(query, config=STEMMED, search_type="websearch") | SearchQuery(
        prefix_tsquery(terms), config=VERBATIM, search_type="raw"
    )
    return queryset.filter(search_vector=tsquery).annotate(
        search_rank=SearchRank(F("search_vector"), tsquery), sku_match=_sku_match(query)
    )


SEARCH_ORDERING = ("-sku_match", "-search_rank", "-units_sold", "-pk")


def _unranked(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return queryset.annotate(
        search_rank=Value(0.0, output_field=FloatField()), sku_match=Value(0, output_field=IntegerField())
    )


def _product_search_simple(*, queryset: QuerySet[Product], terms: list[Term]) -> QuerySet[Product]:
    """The SQLite fallback: every word (or phrase) in the title, a SKU or the
    brand name; a negated one in none of them; ``or`` is read as ``and``."""
    for term in terms:
        condition = (
            Q(title__icontains=term.text)
            | Q(brand__name__icontains=term.text)
            | Exists(Variant.objects.filter(product=OuterRef("pk"), is_active=True, sku__icontains=term.text))
        )
        queryset = queryset.exclude(condition) if term.negated else queryset.filter(condition)
    return queryset


def _plain_words(query: str) -> list[str]:
    """The words a person wants to find (not the negated ones), for trigram matching."""
    return [" ".join(term.pieces) for term in search_terms(query) if not term.negated]


def product_search_fuzzy(*, queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products of ``queryset`` whose title looks like the query (typos), by
    trigram word similarity on the title's trigram index, annotated like
    ``product_search`` so ``SEARCH_ORDERING`` applies. Empty on SQLite."""
    text = " ".join(_plain_words(query))
    if not text or not search_is_full_text():
        return _unranked(queryset.none())
    # Ties in word similarity ("jakcet" is as close to "Jacket" as to "Japan
    # Tea") are broken by the similarity of the whole title.
    rank = TrigramWordSimilarity(text, "title") + TrigramSimilarity("title", text) / 10
    # Only the closest few: a loose threshold lets thousands of titles in.
    closest = (
        queryset.filter(title__trigram_word_similar=text).annotate(rank=rank).order_by("-rank").values("pk")
    )[:FUZZY_LIMIT]
    return queryset.filter(pk__in=closest).annotate(
        search_rank=rank, sku_match=Value(0, output_field=IntegerField())
    )


def search_corrections(*, query: str, titles: Iterable[str], limit: int = 3) -> list[str]:
    """ "Did you mean ...": the query with each word that no title word starts
    with replaced by the closest word of a title, one suggestion per title
    (best titles first), without repeats or the query itself.

    >>> search_corrections(query="blue jakcet", titles=["Blue Rain Jacket", "Japan Tea", "Blue Jacket"])
    ['blue jacket']
    """
    words = _plain_words(query)
    original = " ".join(words)
    suggestions: list[str] = []
    for title in titles:
        title_words = [piece.lower() for piece in _PIECE_RE.findall(title)]
        if not title_words:
            continue
        corrected = []
        for word in words:
            if any(title_word.startswith(word) for title_word in title_words):
                corrected.append(word)
                continue
            ratio, best = max((SequenceMatcher(None, word, tw).ratio(), tw) for tw in title_words)
            corrected.append(best if ratio >= 0.6 else word)
        suggestion = " ".join(corrected)
        if suggestion != original and suggestion not in suggestions:
            suggestions.append(suggestion)
        if len(suggestions) == limit:
            break
    return suggestions


def search_did_you_mean(*, queryset: QuerySet[Product], query: str, limit: int = 3) -> list[str]:
    """Corrections for a query that found little: from the titles that look
    most like it (one query on PostgreSQL; nothing on SQLite)."""
    titles = product_search_fuzzy(queryset=queryset, query=query).order_by(*SEARCH_ORDERING)
    return search_corrections(query=query, titles=titles.values_list("title", flat=True)[:10], limit=limit)
