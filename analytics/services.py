"""Writes of the analytics app that a person (or the API) drives: the lifecycle of an insight
(acknowledge, act, dismiss) and its evaluation. What analyses publish is in `analytics.insights`,
how jobs run in `analytics.registry`."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store

from .evaluation import measure
from .models import Insight


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
