"""Writes of the analytics app: job runs, insights and their lifecycle, stored forecasts, and the entry
points (`run_all`, `run_analysis`) that tasks, the demo loader and tests call alike."""

import contextlib
import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.celery import app as celery_app
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user

from .models import AnalysisSettings, Insight, JobRun

logger = logging.getLogger(__name__)


# --- Settings ------------------------------------------------------------------------------------


def analysis_settings_get(*, store: Store) -> AnalysisSettings:
    """The store's thresholds; the defaults (unsaved) until an owner edits them."""
    return AnalysisSettings.objects.filter(store=store).first() or AnalysisSettings(store=store)


# --- Job runs ------------------------------------------------------------------------------------


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


# --- Insights ------------------------------------------------------------------------------------


@dataclass
class Finding:
    """A condition an analysis found true now: becomes (or updates) one open insight."""

    kind: str
    subject: str
    message_key: str
    numbers: dict = field(default_factory=dict)
    severity: str = Insight.Severity.WARNING
    metric: str = ""
    window_days: int | None = None


@transaction.atomic
def insight_upsert(*, store: Store, finding: Finding, job_run: JobRun | None = None) -> Insight:
    """The open insight for (store, kind, subject) updated, or a new one: never a duplicate."""
    insight = (
        Insight.objects.select_for_update()
        .filter(store=store, kind=finding.kind, subject=finding.subject, state__in=Insight.OPEN_STATES)
        .first()
    )
    if insight is None:
        insight = Insight(store=store, kind=finding.kind, subject=finding.subject)
    insight.message_key = finding.message_key
    insight.numbers = finding.numbers
    insight.severity = finding.severity
    insight.metric = finding.metric
    insight.window_days = finding.window_days
    insight.job_run = job_run
    insight.save()
    return insight


@transaction.atomic
def insights_sync(
    *,
    store: Store,
    kind: str,
    findings: Iterable[Finding],
    job_run: JobRun | None = None,
    scope_prefix: str = "",
) -> list[Insight]:
    """Upserts every finding of one analysis and resolves the open insights of that kind (and subject
    prefix) whose condition no longer holds. Safe to run twice: same insights, no duplicates."""
    findings = list(findings)
    kept = [insight_upsert(store=store, finding=f, job_run=job_run) for f in findings]
    stale = Insight.objects.filter(
        store=store, kind=kind, state__in=Insight.OPEN_STATES, subject__startswith=scope_prefix
    ).exclude(pk__in=[i.pk for i in kept])
    stale.update(state=Insight.State.RESOLVED, resolved_at=timezone.now(), updated_at=timezone.now())
    return kept


def _move(insight: Insight, allowed: tuple, target: str) -> None:
    if insight.state not in allowed:
        raise DomainError(
            "state",
            "invalid_transition",
            _("An insight that is %(state)s cannot become %(target)s.")
            % {"state": insight.get_state_display(), "target": Insight.State(target).label},
        )
    insight.state = target


@transaction.atomic
def insight_acknowledge(*, insight: Insight, by=None) -> Insight:
    _move(insight, (Insight.State.NEW,), Insight.State.ACKNOWLEDGED)
    insight.acknowledged_at, insight.acknowledged_by = timezone.now(), by
    insight.save()
    return insight


@transaction.atomic
def insight_act(
    *,
    insight: Insight,
    action_type: str,
    object_type: str = "",
    object_id: str | int = "",
    by=None,
    now: dt.datetime | None = None,
) -> Insight:
    """Records what was done (PO sent, shift added, ...) and measures the metric before acting, so the
    evaluation can compare it with the same window afterwards."""
    if action_type not in Insight.Action.values:
        raise DomainError("action_type", "invalid_choice", _("Unknown action."))
    _move(insight, Insight.OPEN_STATES, Insight.State.ACTED)
    now = now or timezone.now()
    insight.acted_at = now
    if insight.acknowledged_at is None:
        insight.acknowledged_at, insight.acknowledged_by = now, by
    insight.action_type, insight.action_object_type, insight.action_object_id = (
        action_type,
        object_type,
        str(object_id),
    )
    if insight.metric:
        from .evaluation import measure

        insight.metric_before = measure(
            insight, insight.acted_at - dt.timedelta(days=insight.window_days or 30), insight.acted_at
        )
    insight.save()
    return insight


@transaction.atomic
def insight_dismiss(*, insight: Insight, reason: str, by=None) -> Insight:
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the insight is dismissed."))
    _move(insight, Insight.OPEN_STATES, Insight.State.DISMISSED)
    insight.dismissed_at, insight.dismiss_reason = timezone.now(), reason.strip()[:200]
    insight.save()
    return insight


@transaction.atomic
def insight_evaluate(*, insight: Insight, now: dt.datetime | None = None) -> Insight:
    """Measures the metric over the window after acting, beside the window before."""
    from .evaluation import measure

    now = now or timezone.now()
    window = dt.timedelta(days=insight.window_days or 30)
    if insight.state != Insight.State.ACTED or insight.acted_at is None or now < insight.acted_at + window:
        raise DomainError("state", "not_due", _("This insight cannot be evaluated yet."))
    if insight.metric_before is None:
        insight.metric_before = measure(insight, insight.acted_at - window, insight.acted_at)
    insight.metric_after = measure(insight, insight.acted_at, insight.acted_at + window)
    insight.state, insight.evaluated_at = Insight.State.EVALUATED, now
    insight.save()
    return insight


def insights_evaluate_due(*, store: Store, now: dt.datetime | None = None) -> int:
    """Evaluates every acted insight whose window has passed (run by the nightly job)."""
    now = now or timezone.now()
    done = 0
    for insight in Insight.objects.filter(store=store, state=Insight.State.ACTED).exclude(metric=""):
        if insight.acted_at + dt.timedelta(days=insight.window_days or 30) <= now:
            insight_evaluate(insight=insight, now=now)
            done += 1
    return done


# --- Entry points --------------------------------------------------------------------------------


def job_runs_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Runs still "running" after the longest any job may live (its hard time limit) belong to a worker
    that died (SIGKILL, lost machine): each is marked failed, and returned as (store id, job) to run
    again once, unless a later run of the same job for the store has started since (the broker already
    re-delivered it). Safe to run twice."""
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_TIME_LIMIT_SECONDS + 60)
    jobs = set(_registry())
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
            if run.store_id and run.job in jobs and not later.exists():
                again.add((run.store_id, run.job))
    return sorted(again)


def _registry() -> dict[str, Callable]:
    from .analyses import registry

    return registry()


def run_analysis(*, store: Store, job: str, now: dt.datetime | None = None, task_id: str = "") -> JobRun:
    """Runs one analysis for one store and records it; raises what the analysis raised."""
    now = now or timezone.now()
    function = _registry()[job]
    with job_run_record(job=job, store=store, task_id=task_id) as run:
        outcome = function(store=store, now=now, job_run=run)
        if isinstance(outcome, dict):
            run.result = _jsonable(outcome)
    return run


def run_all(
    *, store: Store, now: dt.datetime | None = None, jobs: Iterable[str] | None = None
) -> dict[str, str]:
    """Every analysis for one store, each recorded; one failing does not stop the others. What the
    demo loader and the nightly task call."""
    now = now or timezone.now()
    outcomes = {}
    for job in jobs or _registry():
        try:
            outcomes[job] = run_analysis(store=store, job=job, now=now).outcome
        except Exception:
            logger.exception("analysis %s failed for store %s", job, store.pk)
            outcomes[job] = JobRun.Outcome.FAILURE
    return outcomes


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def available_jobs() -> list[str]:
    return list(_registry())


def price_change_check(**kwargs) -> None:
    """Receiver target for inventory's goods_received: implemented in analyses.integrations."""
    from .analyses import integrations

    integrations.price_change_check(**kwargs)


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
        result={"jobs": list(jobs or available_jobs())},
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
