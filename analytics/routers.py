"""Reports read the rollup tables from a PostgreSQL replica when one is
configured (``DATABASE_REPLICA_URL`` makes the ``replica`` alias), so a
staff member's year-long report never competes with checkouts on the
primary. Everything else, and every write, stays on ``default``; the code
that computes rollups reads them from ``default`` on purpose (a replica
lags behind by a moment)."""

from typing import Any

from django.db import connections
from django.db.models import Model

REPLICA = "replica"
# The rollups: read-only for everyone but analytics.rollups.
_REPORT_MODELS = frozenset({"dailysales", "dailyproduct", "dailycategory", "dailybreakdown"})


class ReportsRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if (
            model._meta.app_label == "analytics"
            and model._meta.model_name in _REPORT_MODELS
            and REPLICA in connections.databases
        ):
            return REPLICA
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # The replica follows the primary by streaming replication: never migrated itself.
        return False if db == REPLICA else None
