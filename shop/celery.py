"""The Celery app: configured from Django settings (``CELERY_*``).

Without ``REDIS_URL`` the settings make every task run eagerly in-process, so
the shop works on a laptop with nothing installed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
