"""What the shop holds about a person: the placeholder that replaces a
deleted account's email. "Download my data" and "Delete my account" span
every app, so they are written out in ``orders.privacy``
(``personal_data_export``, ``account_delete``), the layer above them all;
each app keeps its own part (``accounts.services.user_data_export``,
``cart.services.cart_export``, ``promotions.privacy``, ...).
"""


def erased_email(*, user_id: int) -> str:
    """The placeholder that replaces a deleted account's email, on the user
    row and on the records kept about it (orders); it reaches no one."""
    return f"deleted-{user_id}@deleted.invalid"
