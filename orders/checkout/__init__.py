"""The checkout: its steps per cart (``steps``), the orchestration a page or
the JSON API calls (``services``: place the order, start and take the
payment, confirm a free order, say where the shopper goes next) and the
pages at ``/checkout/`` (``views``: parse, call, respond)."""
