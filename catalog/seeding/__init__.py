"""The demo catalog: a category tree, brands, tags and N realistic products
with options, variants, stock, specifications, Markdown descriptions and
images drawn with Pillow.

Everything is deterministic by product index: product ``i`` always has the
SKUs ``DEMO-<i>-<n>``, so seeding again with the same N adds nothing and a
larger N adds only the missing products. Rows are written as plain rows
(COPY on PostgreSQL) in batches, one transaction per batch, with their
listing columns computed beforehand and the search vectors set-based per
batch, so 100,000 products take a couple of minutes on PostgreSQL rather
than hours.

The modules, in the order a run uses them: ``run`` (the entry point and its
batches), ``reference`` (the shared categories, brands and tags) with
``images`` (the pictures), ``plans`` (what product ``i`` is) and ``rows``
(writing a batch); ``vocabulary`` holds the words, ``result`` the report.
"""

from catalog.seeding.result import DemoSeedResult
from catalog.seeding.run import demo_catalog_seed

__all__ = ("DemoSeedResult", "demo_catalog_seed")
