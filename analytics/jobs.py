"""Job runs: each analysis run (scheduled, after orders, or on a goods receipt) is recorded with its
duration and outcome, a failure included."""

import contextlib
import datetime as dt
import traceback
from decimal import Decimal

from django.utils import timezone

from restaurant_ops.models import Store

from .models import JobRun


@contextlib.contextmanager
def job_run_record(*, job: str, store: Store | None, task_id: str = ""):
    """Records one run: a row written before the work (committed on its own, so a failure is kept),
    finished with its duration and outcome. Re-raises the error after recording it."""
    run = JobRun.objects.create(job=job, store=store, task_id=task_id or "")
    started = timezone.now()
    try:
        yield run
    except Exception as exc:
        run.outcome = JobRun.Outcome.FAILURE
        run.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
        run.duration = timezone.now() - started
        run.save(update_fields=["outcome", "error", "duration"])
        raise
    else:
        if run.outcome == JobRun.Outcome.RUNNING:
            run.outcome = JobRun.Outcome.SUCCESS
        run.duration = timezone.now() - started
        run.save(update_fields=["outcome", "duration", "result"])


def jsonable(value):
    """A job's outcome as JSON: Decimals and dates as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
