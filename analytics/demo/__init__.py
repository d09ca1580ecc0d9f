"""The demo shop's history for the analytics reports (issue 18): customers,
orders over the last ``days`` with seasonality, payments, refunds, returns
and the visitors' events, drawn from the real catalog by
``analytics_history_seed`` (``manage.py analytics_demo``).

Written as plain rows (COPY on PostgreSQL) in batches, with money in whole
cents by the cart's pricing rules, so a million orders and twenty million
events take minutes. What the demo made is found again by its marks: order
numbers ``DEMO-<8 digits>`` (real ones are ``XXXX-XXXX-XXXX``), customer
emails ``demo.customer.<n>@example.com``, guest emails
``demo.guest.<n>@example.com``, and visitor pseudonyms starting with
``de30de30de30``.

The modules, in the order a run uses them: ``run`` (the entry point, the
batches, ``--reset``), ``shelf`` (the catalog snapshot and pick tables),
``calendar`` (orders per day and per hour), ``history`` (drawing orders,
money and events), ``rows`` (writing); ``vocabulary`` holds the words.
"""

from analytics.demo.run import DemoHistoryResult, NoCatalog, analytics_history_seed, demo_history_delete

__all__ = ("DemoHistoryResult", "NoCatalog", "analytics_history_seed", "demo_history_delete")
