"""Celery tasks of promotions: one service call each."""

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from promotions import services


# Beat runs this every PROMOTIONS_SALE_PRICES_REFRESH_SECONDS so that
# promotions starting or ending show on product pages; it does nothing when
# neither the running promotions nor the catalog changed since the last run.
@shared_task(base=DjangoTask)
def promotion_sale_prices_refresh(only_if_changed: bool = True) -> int:
    return services.promotion_sale_prices_refresh(only_if_changed=only_if_changed)
