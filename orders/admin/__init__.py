"""The orders app's admin, by subject: the orders (``order_admin``) with
their action pages (``order_actions``), the returns (``return_admin``), and
the machinery of a page per staff action that both share
(``action_pages``), the shipments' admin with its tracking refresh
(``shipment_admin``), and staff announcements (``announcement_admin``: their
audience is decided by orders). Django's autodiscovery imports this package;
importing the admins registers them."""

from orders.admin import announcement_admin, order_admin, return_admin, shipment_admin  # noqa: F401  (they register themselves)
