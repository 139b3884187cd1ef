"""How an analysis publishes what it found: a `Finding` becomes (or updates) one open insight per store,
kind and subject, and insights whose condition no longer holds resolve. Used by the analyses; the
lifecycle an owner drives (acknowledge, act, dismiss, evaluate) is in `analytics.services`."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from restaurant_ops.models import Store

from . import events
from .models import Insight, JobRun


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
    opened = insight is None
    if opened:
        insight = Insight(store=store, kind=finding.kind, subject=finding.subject)
    insight.message_key = finding.message_key
    insight.numbers = finding.numbers
    insight.severity = finding.severity
    insight.metric = finding.metric
    insight.window_days = finding.window_days
    insight.job_run = job_run
    insight.save()
    if opened:
        events.insight_opened.send(sender=Insight, insight=insight)
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
