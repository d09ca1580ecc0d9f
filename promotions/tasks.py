"""Celery tasks of promotions. The sale-prices refresh is defined beside its
service (``promotions.services``), which queues it after a promotion is
saved; it is named here, as workers import this module."""

from promotions.services import promotion_sale_prices_refresh_task as promotion_sale_prices_refresh

__all__ = ["promotion_sale_prices_refresh"]
