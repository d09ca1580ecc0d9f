"""A registry of callbacks told after commit about a row that changed.

Lower apps use it so that a higher layer can react to them without being
imported (payments tells orders about a payment's outcome, shipping about a
shipment's status). Each callback is called with the row freshly loaded,
after the transaction that changed it has committed, each on its own
(``robust``: one that raises is logged and neither stops the others nor
undoes the change), so a callback must be idempotent.
"""

from collections.abc import Callable
from functools import partial

from django.db import models, transaction


class AfterCommitListeners[M: models.Model]:
    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._callbacks: list[Callable[[M], None]] = []

    def register(self, callback: Callable[[M], None]) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def unregister(self, callback: Callable[[M], None]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def all(self) -> list[Callable[[M], None]]:
        return list(self._callbacks)

    def notify(self, instance: M) -> None:
        """Schedule every callback for after the current transaction commits."""
        for callback in list(self._callbacks):
            transaction.on_commit(partial(self._call, callback, instance.pk), robust=True)

    def _call(self, callback: Callable[[M], None], pk: object) -> None:
        callback(self.model._default_manager.get(pk=pk))
