"""Celery entry points: thin. Each takes ids, loads, and calls one service or the registry of
analyses. All on the "analytics" queue (CELERY_TASK_ROUTES), acknowledged late, time-limited, retried
with backoff only for transient errors (database connection, broker); one store's failure never stops
the others (one task per store)."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from restaurant_ops.models import Store

from . import registry, selectors, services
from .analyses import prices
from .models import JobRun

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


# The longest job: the broker's visibility timeout and the JobRun sweeper are derived from it.
LONGEST = {
    "soft_time_limit": settings.JOB_TIME_LIMIT_SECONDS - 60,
    "time_limit": settings.JOB_TIME_LIMIT_SECONDS,
}


@shared_task(name="analytics.tasks.run_store_analyses", **LONGEST, **COMMON)
def run_store_analyses(store_id: int, jobs: list[str] | None = None) -> dict:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return {}
    return registry.run_all(store=store, jobs=jobs)


# The fan-out runs every 5 minutes: a message (its own, or a store's run it queued) still waiting after
# 4 minutes is dropped, so a backlog after an outage does not replay stale runs; the next tick covers it.
FAN_OUT_EXPIRES = 240


@shared_task(
    name="analytics.tasks.run_analyses",
    soft_time_limit=60,
    time_limit=90,
    expires=FAN_OUT_EXPIRES,
    **COMMON,
)
def run_analyses(jobs: list[str] | None = None, only_open: bool = False) -> int:
    """Fan-out (every few minutes): one task per store, so a slow or failing store delays no other.
    With `only_open`, only stores open now (or without opening hours) are analysed."""
    ids = selectors.stores_to_analyse(only_open=only_open)
    for store_id in ids:
        run_store_analyses.apply_async((store_id, jobs), expires=FAN_OUT_EXPIRES)
    return len(ids)


@shared_task(name="analytics.tasks.nightly", soft_time_limit=60, time_limit=90, **COMMON)
def nightly() -> int:
    """The nightly full run: every analysis for every store, then due insight evaluations."""
    ids = list(Store.objects.values_list("pk", flat=True))
    for store_id in ids:
        run_store_analyses.delay(store_id, None)
        evaluate_insights.delay(store_id)
    return len(ids)


@shared_task(name="analytics.tasks.evaluate_insights", **LONGEST, **COMMON)
def evaluate_insights(store_id: int) -> int:
    store = Store.objects.filter(pk=store_id).first()
    return services.insights_evaluate_due(store=store) if store else 0


def _event_window(store_id: int) -> int:
    """The store's coalescing window for its event-driven checks (AnalysisSettings'
    `low_stock_debounce_seconds`): the first event runs at once, later ones within it run once at its end."""
    store = Store.objects.filter(pk=store_id).first()
    return selectors.analysis_settings_get(store=store).low_stock_debounce_seconds if store else 0


@shared_task(
    name="analytics.tasks.low_stock_check",
    soft_time_limit=60,
    time_limit=90,
    # Follows placed orders, and items selling out or coming back (a receipt, a count, a void), through
    # the connections outbox (recorded in the event's transaction): the first event runs the check at
    # once, later ones within the window coalesce into one more run.
    outbox_topics=("order.placed", "item.sold_out", "item.back"),
    outbox_window=_event_window,
    **COMMON,
)
def low_stock_check(store_id: int, event_ids: list[int] | None = None) -> str:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return "skipped"
    return registry.run_analysis(
        store=store, job="low_stock", task_id=low_stock_check.request.id or ""
    ).outcome


@shared_task(
    name="analytics.tasks.price_change_check",
    soft_time_limit=60,
    time_limit=90,
    # Follows goods receipts through the outbox like the low-stock check follows orders: the first
    # receipt is checked at once, later ones within the window together; each receipt's lines are in
    # its event's payload, so none is missed by coalescing.
    outbox_topics=("purchase_order.received",),
    outbox_window=_event_window,
    outbox_payloads=True,
    **COMMON,
)
def price_change_check(
    store_id: int, event_ids: list[int] | None = None, payloads: list[dict] | None = None
) -> int:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return 0
    return len(prices.check_receipts(store=store, receipts=payloads or []))


@shared_task(name="analytics.tasks.sweep_job_runs", soft_time_limit=60, time_limit=90, **COMMON)
def sweep_job_runs() -> int:
    """Beat, every 5 minutes: runs a dead worker left "running" are marked failed and run again, and
    requested runs whose nudge the broker lost are sent again."""
    retried = registry.job_runs_sweep()
    for store_id, job in retried:
        run_store_analyses.delay(store_id, [job])
    resent = registry.job_runs_queued_stale()
    for run_id in resent:
        run_requested_analyses.delay(run_id)
    return len(retried) + len(resent)


@shared_task(name=registry.RUN_REQUESTED_TASK, **LONGEST, **COMMON)
def run_requested_analyses(job_run_id: int) -> str:
    """A run asked for through the API (as of a moment, say the end of an imported history)."""
    run = JobRun.objects.filter(pk=job_run_id).select_related("store").first()
    if run is None:
        return "gone"
    return registry.analyses_run_requested(run=run, task_id=run_requested_analyses.request.id or "").outcome
