"""Celery entry points for the customer analyses: thin, on the "analytics" queue (CELERY_TASK_ROUTES),
acknowledged late, time-limited, retried with backoff only for transient errors, one task per store so
one store's failure delays no other. Idempotent: re-running upserts the same scores and monthly rates."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from restaurant_ops.models import Store

from . import messaging, services
from .models import MessageRule

TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)
OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "queue": "analytics",
}


@shared_task(
    name="customers.tasks.analyse_store", soft_time_limit=240, time_limit=300, expires=6 * 3600, **OPTIONS
)
def analyse_store(store_id: int) -> dict:
    """Segments and RFM, churn risk and value at risk per customer, the store's monthly churn rates."""
    store = Store.objects.filter(pk=store_id).first()
    return services.customers_analyse(store=store) if store else {}


@shared_task(name="customers.tasks.nightly", soft_time_limit=60, time_limit=90, expires=3600, **OPTIONS)
def nightly() -> int:
    """Fan-out, scheduled before analytics' nightly run: its churn and complaint insights read these."""
    ids = list(Store.objects.values_list("pk", flat=True))
    for store_id in ids:
        analyse_store.delay(store_id)
    return len(ids)


@shared_task(
    name="customers.tasks.run_message_rules", soft_time_limit=240, time_limit=300, expires=600, **OPTIONS
)
def run_message_rules() -> dict:
    """Every 15 minutes: each active rule sends what its triggers owe (nothing twice, see messaging)."""
    counts: dict[str, int] = {}
    for rule in MessageRule.objects.filter(is_active=True).select_related("store"):
        for status, n in messaging.rule_run(rule=rule).items():
            counts[status] = counts.get(status, 0) + n
    return counts
