"""Celery entry points of connections: thin, each calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import notifications, services, webhooks

TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)


@shared_task(
    name="connections.tasks.outbox_drain",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=10,
    soft_time_limit=50,
    time_limit=60,
)
def outbox_drain() -> int:
    """Nudged on commit, and run by beat every 30 s so work owed while the broker was down goes out;
    webhook deliveries due now (first tries and retries) go to their own task."""
    sent = services.outbox_drain()
    if webhooks.due(limit=1):
        webhooks_deliver.delay()
    if notifications.sends_due(limit=1):
        notifications_deliver.delay()
    return sent


@shared_task(
    name="connections.tasks.webhooks_deliver",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
    expires=300,
)
def webhooks_deliver() -> int:
    """One attempt for each delivery due now (retries are rescheduled by the delivery itself)."""
    ids = webhooks.due()
    for delivery_id in ids:
        webhooks.deliver(delivery_id=delivery_id)
    return len(ids)


@shared_task(name="connections.tasks.outbox_purge", acks_late=True, time_limit=300)
def outbox_purge() -> int:
    return services.outbox_purge()


@shared_task(
    name="connections.tasks.notify",
    outbox_topics=notifications.NOTIFIED_TOPICS,
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=10,
    time_limit=120,
)
def notify(store_id: int | None = None, event_ids: list[int] | None = None) -> int:
    """Follows insight.opened through the outbox: the in-app rows and the sends they owe."""
    return notifications.notify_events(event_ids=event_ids or [])


@shared_task(
    name="connections.tasks.notifications_deliver",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
    expires=300,
)
def notifications_deliver() -> int:
    """One attempt for each e-mail or robot message due now (retries are rescheduled by the send)."""
    ids = notifications.sends_due()
    for send_id in ids:
        notifications.send_one(send_id=send_id)
    return len(ids)


@shared_task(name="connections.tasks.morning_digests", acks_late=True, time_limit=240)
def morning_digests() -> int:
    """Run by beat every 5 minutes: each store's digest once its time before opening has come."""
    return notifications.digests_due()
