"""The customer analyses as Celery jobs: routed to the analytics queue, time-limited, scheduled by beat,
and run by a real worker (Redis broker, the test database) into idempotent upserts."""

import datetime as dt
import importlib
import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps as django_apps
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from customers import tasks
from customers.models import ChurnRate, CustomerScore
from restaurant_ops.celery import app
from restaurant_ops.timeutils import business_date
from tests.factories import StoreFactory

from .factories import CustomerFactory, visit


@pytest.mark.django_db
def test_the_nightly_schedule_loads_and_runs_before_analytics():
    app.loader.import_default_modules()
    # Transactional tests elsewhere flush the rows migrations wrote: apply the data migration's own
    # function again (it is idempotent), so this checks what it writes whatever ran before.
    schedule = importlib.import_module("customers.migrations.0002_beat_schedule")
    schedule.create(django_apps, None)
    schedule.create(django_apps, None)
    assert PeriodicTask.objects.filter(task="customers.tasks.nightly").count() == 1
    row = PeriodicTask.objects.get(task="customers.tasks.nightly")
    entry = DatabaseScheduler(app=app, lazy=True).Entry(row, app=app)
    assert row.task in app.tasks and entry.is_due() is not None
    assert (row.crontab.hour, row.crontab.minute, row.queue) == ("3", "15", "analytics")
    analytics_schedule = importlib.import_module("analytics.migrations.0002_beat_schedules")
    assert ("analytics: nightly full run", "analytics.tasks.nightly", {}, None, ("30", "3")) in (
        analytics_schedule.SCHEDULES
    )


@pytest.mark.django_db
def test_triggered_messages_are_scheduled_every_15_minutes():
    importlib.import_module("customers.migrations.0004_message_rules_schedule").create(django_apps, None)
    row = PeriodicTask.objects.get(task="customers.tasks.run_message_rules")
    assert row.task in app.tasks and (row.interval.every, row.interval.period) == (15, "minutes")


def test_tasks_route_to_the_analytics_queue_ack_late_and_are_time_limited():
    for task in (tasks.analyse_store, tasks.nightly, tasks.run_message_rules):
        assert app.amqp.router.route({}, task.name)["queue"].name == "analytics"
        assert task.acks_late and task.time_limit and task.soft_time_limit and task.expires


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_scores_customers_and_running_twice_changes_nothing():
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        pytest.fail("needs CELERY_BROKER_URL=redis://... (a real broker)")
    store = StoreFactory()
    customer = CustomerFactory(store=store)
    today = business_date(store, timezone.now())
    for days_ago in (30, 20, 10):
        visit(customer, today - dt.timedelta(days=days_ago), "25")
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("analytics")
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["analytics"], shutdown_timeout=20):
        for _run in range(2):
            tasks.nightly.delay()
            deadline = time.monotonic() + 30
            while (
                time.monotonic() < deadline and not CustomerScore.objects.filter(customer=customer).exists()
            ):
                time.sleep(0.2)
        time.sleep(1)  # let the second run's store task finish too
    score = CustomerScore.objects.get(customer=customer)
    # Visits 30, 20 and 10 days ago: gaps 10 and 10, recency 10 → churn risk 1.00; monetary 75;
    # value at risk 75 / 6 × 1.00 / 4 = 12.5 × 0.25 = 3.125 → 3.13.
    assert (str(score.churn_risk), str(score.value_at_risk), score.segment) == ("1.00", "3.13", "vip")
    assert CustomerScore.objects.count() == 1 and ChurnRate.objects.filter(store=store).count() == 12
