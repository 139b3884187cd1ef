"""Jobs: the beat schedule loads, tasks route to the analytics queue, one store's failure does not stop
the others, every run is recorded, and the low-stock check after orders is de-bounced."""

import datetime as dt
from unittest import mock

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from analytics import registry, tasks
from analytics.models import JobRun
from restaurant_ops.celery import app
from tests.analytics.conftest import at
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_loads_and_names_registered_tasks():
    app.loader.import_default_modules()
    scheduler = DatabaseScheduler(app=app, lazy=True)
    # Each stored row becomes a beat entry (the scheduler may skip crontabs outside the current hour).
    ours = {
        row.task: scheduler.Entry(row, app=app)
        for row in PeriodicTask.objects.filter(task__regex=r"^(analytics|restaurant_ops)\.")
    }
    assert set(ours) == {
        "analytics.tasks.run_analyses",
        "analytics.tasks.nightly",
        "analytics.tasks.sweep_job_runs",
        "restaurant_ops.tasks.purge_idempotency_keys",
    }
    for name, entry in ours.items():
        assert name in app.tasks
        assert entry.is_due() is not None
    assert "analytics.tasks.run_analyses" in {e.task for e in scheduler.all_as_schedule().values()}
    every_five = PeriodicTask.objects.get(task="analytics.tasks.run_analyses")
    assert (every_five.interval.every, every_five.interval.period, every_five.queue) == (
        5,
        "minutes",
        "analytics",
    )
    nightly = PeriodicTask.objects.get(task="analytics.tasks.nightly")
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("3", "30")
    purge = PeriodicTask.objects.get(task="restaurant_ops.tasks.purge_idempotency_keys")
    assert (purge.interval.every, purge.interval.period, purge.queue) == (1, "hours", "default")
    assert ours["restaurant_ops.tasks.purge_idempotency_keys"].options["expires"] == 3000


def test_tasks_route_to_the_analytics_queue_and_ack_late():
    router = app.amqp.router
    for task in (tasks.run_store_analyses, tasks.low_stock_check, tasks.run_analyses, tasks.nightly):
        assert router.route({}, task.name)["queue"].name == "analytics"
        assert task.acks_late and task.time_limit


def test_one_failing_analysis_does_not_stop_the_others(store, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("broken analysis")

    def fine(**kwargs):
        return {"ok": 1}

    monkeypatch.setattr(registry, "JOBS", {"broken": boom, "fine": fine})
    assert registry.run_all(store=store) == {"broken": "failure", "fine": "success"}
    runs = {r.job: r for r in JobRun.objects.filter(store=store)}
    assert "broken analysis" in runs["broken"].error and runs["fine"].result == {"ok": 1}


def test_fan_out_queues_one_task_per_store_that_expires_before_the_next_tick(store, other_store):
    """Every 5 minutes: a store's run (and the fan-out itself) still queued after 4 minutes is dropped."""
    with mock.patch.object(tasks.run_store_analyses, "apply_async") as apply_async:
        assert tasks.run_analyses() == 2
    calls = apply_async.call_args_list
    assert sorted(call.args[0][0] for call in calls) == sorted([store.pk, other_store.pk])
    assert {call.kwargs["expires"] for call in calls} == {240}
    assert tasks.run_analyses.expires == 240  # beat's own message for the fan-out


def test_only_transient_errors_are_retried():
    from django.db import OperationalError

    assert OperationalError in tasks.run_store_analyses.autoretry_for
    assert RuntimeError not in tasks.run_store_analyses.autoretry_for


def test_low_stock_check_follows_placed_orders_through_the_outbox(store, sell):
    from connections.models import OutboxDispatch

    item = MenuItemFactory(store=store)
    order = sell(store, [(item, 1)], at(dt.date(2026, 3, 2), 12, 0))
    dispatch = OutboxDispatch.objects.get(event__subject=f"order:{order.pk}")
    assert (dispatch.task_name, dispatch.store_id, dispatch.state) == (
        "analytics.tasks.low_stock_check",
        store.pk,
        "pending",
    )


def test_sweeper_fails_runs_left_running_by_a_dead_worker_and_runs_each_again_once(store, settings):
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    limit = settings.JOB_TIME_LIMIT_SECONDS
    dead = JobRun.objects.create(
        job="low_stock", store=store, started_at=now - dt.timedelta(seconds=limit + 61)
    )
    redone = JobRun.objects.create(job="margin", store=store, started_at=now - dt.timedelta(hours=2))
    JobRun.objects.create(
        job="margin", store=store, started_at=now - dt.timedelta(hours=1), outcome="success"
    )
    alive = JobRun.objects.create(
        job="forecast", store=store, started_at=now - dt.timedelta(seconds=limit - 1)
    )

    assert registry.job_runs_sweep(now=now) == [(store.pk, "low_stock")]
    assert registry.job_runs_sweep(now=now) == []  # nothing left to sweep: safe to run twice
    outcomes = {r.pk: r.outcome for r in JobRun.objects.all()}
    assert (outcomes[dead.pk], outcomes[redone.pk], outcomes[alive.pk]) == ("failure", "failure", "running")


def test_visibility_timeout_covers_the_longest_job(settings):
    app.loader.import_default_modules()
    longest = max((t.time_limit or 0) for t in app.tasks.values())
    # the analyses' limit, or the sales import's when that is longer (1500 s against 300 s by default)
    assert longest == max(settings.JOB_TIME_LIMIT_SECONDS, settings.SALES_IMPORT_TIME_LIMIT_SECONDS) == 1500
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None
