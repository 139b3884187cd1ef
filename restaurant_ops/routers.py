"""Reads that may go to a PostgreSQL read replica (DATABASE_REPLICA_URL): the owner's analyses and
dashboard, which read a lot and tolerate a second of replication lag. Everything else, every write,
and every read inside a write (locks, upserts) stays on the primary. The choice is made per request or
job with `replica_reads()`, not per model: an order line is read from the primary by the order path
and from the replica by the dashboard."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block go to the replica when one is configured (and no write transaction is open)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _reading_from_replica.get()
            and REPLICA in settings.DATABASES
            and not transaction.get_connection().in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # replicated from the primary, never migrated itself
