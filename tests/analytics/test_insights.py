"""Insights: one open per (store, kind, subject), updated while true, resolved when cleared, and the
lifecycle new → acknowledged → acted → evaluated | dismissed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from analytics import services
from analytics.insights import Finding, insight_upsert, insights_sync
from analytics.jobs import job_run_record
from analytics.models import Insight, JobRun
from restaurant_ops.errors import DomainError
from tests.analytics.conftest import at
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


def finding(subject="item:1", today=6, **kw):
    return Finding(
        kind=Insight.Kind.TRENDING,
        subject=subject,
        message_key="trending_up",
        numbers={"item": "Soup", "today": today, "usual": "2.00", "lift": "3.00"},
        **kw,
    )


def test_a_condition_still_true_updates_the_open_insight(store):
    first = insight_upsert(store=store, finding=finding(today=6))
    second = insight_upsert(store=store, finding=finding(today=9))
    assert first.pk == second.pk
    assert Insight.objects.count() == 1
    assert Insight.objects.get().numbers["today"] == 9


def test_the_database_refuses_two_open_insights_for_one_subject(store):
    insight_upsert(store=store, finding=finding())
    with pytest.raises(IntegrityError), transaction.atomic():
        Insight.objects.create(store=store, kind="trending", subject="item:1", message_key="x")


def test_sync_resolves_cleared_conditions_and_keeps_closed_ones(store):
    insights_sync(store=store, kind="trending", findings=[finding("item:1"), finding("item:2")])
    dismissed = insight_upsert(store=store, finding=finding("item:3"))
    services.insight_dismiss(insight=dismissed, reason="we know")
    insights_sync(store=store, kind="trending", findings=[finding("item:2")])
    states = dict(Insight.objects.values_list("subject", "state"))
    assert states == {"item:1": "resolved", "item:2": "new", "item:3": "dismissed"}
    # A dismissed insight does not block a fresh one for the same subject.
    insights_sync(store=store, kind="trending", findings=[finding("item:2"), finding("item:3")])
    assert Insight.objects.filter(subject="item:3").count() == 2


def test_message_is_rendered_in_the_readers_language(store):
    insight = insight_upsert(store=store, finding=finding())
    with translation.override("en"):
        assert insight.message == "Soup sells 6 today against a usual 2.00 by this time (lift 3.00)."


def test_lifecycle_and_invalid_moves(store):
    insight = insight_upsert(store=store, finding=finding())
    services.insight_acknowledge(insight=insight)
    assert insight.state == "acknowledged"
    with pytest.raises(DomainError):
        services.insight_acknowledge(insight=insight)
    with pytest.raises(DomainError):
        services.insight_dismiss(insight=insight, reason="  ")
    with pytest.raises(DomainError) as empty:
        services.insight_act(insight=insight, action="done", note=" ")
    assert empty.value.field == "note"
    insight = services.insight_act(insight=insight, action="done", note="Called the supplier")
    assert (insight.state, insight.action_type, insight.action_detail) == (
        "acted",
        "other",
        {"note": "Called the supplier"},
    )
    with pytest.raises(DomainError):
        services.insight_dismiss(insight=insight, reason="late")


def test_evaluation_measures_before_and_after_when_time_has_advanced(store, sell):
    soup = MenuItemFactory(store=store, price=Decimal("4.00"))
    day0 = dt.date(2026, 3, 2)
    # 7 days before acting: 1 soup a day = 7; 7 days after: 3 soups a day = 21.
    for offset in range(14):
        sell(store, [(soup, 1 if offset < 7 else 3)], at(day0 + dt.timedelta(days=offset), 12))
    insight = insight_upsert(
        store=store,
        finding=Finding(
            kind="trending",
            subject=f"item:{soup.pk}",
            message_key="trending_up",
            metric="item_quantity",
            window_days=7,
        ),
    )
    acted_at = at(day0 + dt.timedelta(days=7), 5)
    insight = services.insight_act(insight=insight, action="done", note="New menu card", now=acted_at)
    assert insight.metric_before == Decimal("7")
    with pytest.raises(DomainError):
        services.insight_evaluate(insight=insight, now=acted_at + dt.timedelta(days=6))
    assert services.insights_evaluate_due(store=store, now=acted_at + dt.timedelta(days=7)) == 1
    insight.refresh_from_db()
    assert (insight.state, insight.metric_before, insight.metric_after) == (
        "evaluated",
        Decimal("7"),
        Decimal("21"),
    )


def test_job_run_records_success_and_failure(store):
    with job_run_record(job="demo", store=store):
        pass
    with pytest.raises(ZeroDivisionError), job_run_record(job="boom", store=store):
        1 / 0  # noqa: B018
    runs = {r.job: r for r in JobRun.objects.all()}
    assert runs["demo"].outcome == "success" and runs["demo"].duration is not None
    assert runs["boom"].outcome == "failure" and "ZeroDivisionError" in runs["boom"].error


def test_the_verdict_is_judged_against_the_spread_of_the_four_windows_before(store, sell):
    soup, tea, cake = (MenuItemFactory(store=store, price=Decimal("4.00")) for _ in range(3))
    day0 = dt.date(2026, 3, 2)
    # Four weeks before acting, the same for each item: 1 a day, except none on day 0 and 2 on day 7.
    # Weekly totals, the latest first: 7, 7, 8, 6 → "before" = 7, spread = 8 − 6 = 2.
    for offset in range(28):
        quantity = {0: 0, 7: 2}.get(offset, 1)
        if quantity:
            sell(
                store,
                [(soup, quantity), (tea, quantity), (cake, quantity)],
                at(day0 + dt.timedelta(days=offset), 12),
            )
    # The week after: soup 3 a day (21: +14, beyond 2: worked); tea 1 a day and 2 once (8: +1, within
    # 2: no change); cake 1 a day for 4 days (4: −3, beyond 2 the wrong way: worse).
    for offset in range(28, 35):
        lines = [(soup, 3), (tea, 2 if offset == 28 else 1)] + ([(cake, 1)] if offset < 32 else [])
        sell(store, lines, at(day0 + dt.timedelta(days=offset), 12))
    acted_at = at(day0 + dt.timedelta(days=28), 5)
    insights = {}
    for name, item in (("soup", soup), ("tea", tea), ("cake", cake)):
        finding = Finding(
            kind="trending",
            subject=f"item:{item.pk}",
            message_key="trending_up",
            metric="item_quantity",
            window_days=7,
        )
        insight = insight_upsert(store=store, finding=finding)
        insights[name] = services.insight_act(
            insight=insight, action="done", note="On the board", now=acted_at
        )
    assert services.insights_evaluate_due(store=store, now=acted_at + dt.timedelta(days=7)) == 3
    judged = {}
    for name, insight in insights.items():
        insight.refresh_from_db()
        judged[name] = (insight.metric_before, insight.metric_after, insight.metric_spread, insight.verdict)
    assert judged == {
        "soup": (Decimal("7"), Decimal("21"), Decimal("2"), "worked"),
        "tea": (Decimal("7"), Decimal("8"), Decimal("2"), "no_change"),
        "cake": (Decimal("7"), Decimal("4"), Decimal("2"), "worse"),
    }
