"""An order's life after it is placed, one module per subject.

- ``transitions``: the status moves and the history every other module writes.
- ``payment``: the order follows its payment (paid, declined, given back,
  expired unpaid), whichever path moved the payment.
- ``cancellation``: a customer or staff cancels; unpaid orders are cancelled.
- ``fulfilment``: shipments, tracking and delivery.
- ``refunds`` and ``returns``: money and goods going back.

Placing the order belongs to the checkout (``orders.checkout.placement``).
"""
