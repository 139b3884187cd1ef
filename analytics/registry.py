"""The analyses by job name, and how a job runs: `run_analysis` (one, recorded) and `run_all` (every
one for a store, one failing not stopping the others), called alike by the tasks, the demo loader and
the tests; `job_runs_sweep` re-runs what a dead worker left behind."""

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from restaurant_ops.celery import app as celery_app
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user

from .analyses import customers, forecast, margin, operations, sales, stock
from .jobs import job_run_record, jsonable
from .models import JobRun

logger = logging.getLogger(__name__)

# Job name → runner(store=, now=, job_run=). Order matters: the forecast feeds the others.
JOBS: dict[str, Callable] = {
    "forecast": forecast.run_forecast,
    "trending": sales.run_trending,
    "low_stock": stock.run_low_stock,
    "margin": margin.run_margin,
    "prep": operations.run_prep,
    "staffing": operations.run_staffing,
    "customers": customers.run_customer_insights,
}


def run_analysis(*, store: Store, job: str, now: dt.datetime | None = None, task_id: str = "") -> JobRun:
    """Runs one analysis for one store and records it; raises what the analysis raised."""
    now = now or timezone.now()
    function = JOBS[job]
    with job_run_record(job=job, store=store, task_id=task_id) as run:
        outcome = function(store=store, now=now, job_run=run)
        if isinstance(outcome, dict):
            run.result = jsonable(outcome)
    return run


def run_all(
    *, store: Store, now: dt.datetime | None = None, jobs: Iterable[str] | None = None
) -> dict[str, str]:
    """Every analysis for one store, each recorded; one failing does not stop the others. What the
    demo loader and the nightly task call."""
    now = now or timezone.now()
    outcomes = {}
    for job in jobs or JOBS:
        try:
            outcomes[job] = run_analysis(store=store, job=job, now=now).outcome
        except Exception:
            logger.exception("analysis %s failed for store %s", job, store.pk)
            outcomes[job] = JobRun.Outcome.FAILURE
    return outcomes


def job_runs_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Runs still "running" after the longest any job may live (its hard time limit) belong to a worker
    that died (SIGKILL, lost machine): each is marked failed, and returned as (store id, job) to run
    again once, unless a later run of the same job for the store has started since (the broker already
    re-delivered it). Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_TIME_LIMIT_SECONDS + 60)
    again = set()
    with transaction.atomic():
        stale = JobRun.objects.select_for_update(skip_locked=True).filter(
            outcome=JobRun.Outcome.RUNNING, started_at__lt=cutoff
        )
        for run in stale:
            run.outcome = JobRun.Outcome.FAILURE
            run.error = "The worker stopped before this run finished; marked failed by the sweeper."
            run.save(update_fields=["outcome", "error"])
            later = JobRun.objects.filter(job=run.job, store_id=run.store_id, started_at__gt=run.started_at)
            if run.store_id and run.job in JOBS and not later.exists():
                again.add((run.store_id, run.job))
    return sorted(again)


# --- Runs asked for by a person or an integration (as of any moment) ---------------------------------

RUN_REQUESTED_TASK = "analytics.tasks.run_requested_analyses"
# A queued run the broker never delivered (it was down) is sent again by the sweeper after this long.
QUEUED_RESEND_AFTER = dt.timedelta(minutes=2)


def analyses_request(
    *, store: Store, at: dt.datetime | None = None, jobs: list[str] | None = None, by=None
) -> JobRun:
    """Records a run of the analyses for `store` as of `at` (default: when it runs) and nudges the
    worker on commit. The queued JobRun is the record that the work is owed: with the broker down the
    sweeper sends it again, so it runs when the broker returns."""
    run = JobRun.objects.create(
        job="requested",
        store=store,
        outcome=JobRun.Outcome.QUEUED,
        as_of=at,
        requested_by=acting_user(by),
        result={"jobs": list(jobs or JOBS)},
    )
    transaction.on_commit(lambda: _send_requested(run.pk), robust=True)
    return run


def _send_requested(run_id: int) -> None:
    try:
        celery_app.send_task(RUN_REQUESTED_TASK, args=[run_id], queue="analytics")
    except Exception:  # the broker is down: the sweeper sends it again
        logger.warning("analysis run %s queued in the database only: the broker did not answer", run_id)


def analyses_run_requested(*, run: JobRun, task_id: str = "") -> JobRun:
    """Runs a requested JobRun's analyses (each recorded as its own JobRun) and finishes it with their
    outcomes. A run that is no longer queued (delivered twice, or already picked up) is left alone."""
    claimed = JobRun.objects.filter(pk=run.pk, outcome=JobRun.Outcome.QUEUED).update(
        outcome=JobRun.Outcome.RUNNING, started_at=timezone.now(), task_id=task_id
    )
    run.refresh_from_db()
    if not claimed:
        return run
    outcomes = run_all(store=run.store, now=run.as_of or timezone.now(), jobs=run.result.get("jobs"))
    run.result = {**run.result, "outcomes": outcomes}
    failed = any(outcome != JobRun.Outcome.SUCCESS for outcome in outcomes.values())
    run.outcome = JobRun.Outcome.FAILURE if failed else JobRun.Outcome.SUCCESS
    run.duration = timezone.now() - run.started_at
    run.save(update_fields=["result", "outcome", "duration"])
    return run


def job_runs_queued_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Requested runs still queued after QUEUED_RESEND_AFTER: their nudge was lost."""
    cutoff = (now or timezone.now()) - QUEUED_RESEND_AFTER
    return list(
        JobRun.objects.filter(outcome=JobRun.Outcome.QUEUED, started_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
