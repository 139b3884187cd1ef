"""Celery entry points: thin. Each takes ids, loads, and calls one service. All on the "analytics"
queue (CELERY_TASK_ROUTES), acknowledged late, time-limited, retried with backoff only for transient
errors (database connection, broker); one store's failure never stops the others (one task per store)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from restaurant_ops.models import Store

from . import selectors, services

TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)
COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "queue": "analytics",
}


@shared_task(name="analytics.tasks.run_store_analyses", soft_time_limit=240, time_limit=300, **COMMON)
def run_store_analyses(store_id: int, jobs: list[str] | None = None) -> dict:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return {}
    return services.run_all(store=store, jobs=jobs)


@shared_task(name="analytics.tasks.run_analyses", soft_time_limit=60, time_limit=90, **COMMON)
def run_analyses(jobs: list[str] | None = None, only_open: bool = False) -> int:
    """Fan-out (every few minutes): one task per store, so a slow or failing store delays no other.
    With `only_open`, only stores open now (or without opening hours) are analysed."""
    ids = selectors.stores_to_analyse(only_open=only_open)
    for store_id in ids:
        run_store_analyses.delay(store_id, jobs)
    return len(ids)


@shared_task(name="analytics.tasks.nightly", soft_time_limit=60, time_limit=90, **COMMON)
def nightly() -> int:
    """The nightly full run: every analysis for every store, then due insight evaluations."""
    ids = list(Store.objects.values_list("pk", flat=True))
    for store_id in ids:
        run_store_analyses.delay(store_id, None)
        evaluate_insights.delay(store_id)
    return len(ids)


@shared_task(name="analytics.tasks.evaluate_insights", soft_time_limit=240, time_limit=300, **COMMON)
def evaluate_insights(store_id: int) -> int:
    store = Store.objects.filter(pk=store_id).first()
    return services.insights_evaluate_due(store=store) if store else 0


@shared_task(name="analytics.tasks.low_stock_check", soft_time_limit=60, time_limit=90, **COMMON)
def low_stock_check(store_id: int) -> str:
    """Queued on commit after an order that consumes stock (de-bounced per store)."""
    store = Store.objects.filter(pk=store_id).first()
    if store is None or "low_stock" not in services.available_jobs():
        return "skipped"
    return services.run_analysis(
        store=store, job="low_stock", task_id=low_stock_check.request.id or ""
    ).outcome
