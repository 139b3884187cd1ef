"""Celery entry points for the shared plumbing: thin, each calls one function."""

from celery import shared_task

from .api.idempotency import idempotency_purge


@shared_task(name="restaurant_ops.tasks.purge_idempotency_keys", acks_late=True, time_limit=300)
def purge_idempotency_keys() -> int:
    """Hourly (beat): forget replayable responses older than IDEMPOTENCY_TTL_HOURS."""
    return idempotency_purge()
