"""Writes of the connections app: an event recorded in the outbox inside the caller's transaction,
and the drain that hands the work it owes to the broker.

Who follows a topic is declared by the following app's own Celery task, never by an import of it:
`@shared_task(name=..., outbox_topics=("order.placed",), outbox_window=..., outbox_payloads=...)`: every
event-driven check (the low-stock check after an order, the price check after a receipt) runs through
the one drain below, at once for a store's first event and coalesced within its window. The arrows of
ARCHITECTURE.md hold both ways: connections hears every app's events and imports no app's tasks;
analytics (say) declares its low-stock check as a follower and never imports connections. The task
registry (Celery's) is the only thing both see.
"""

import datetime as dt
import functools
import logging
from collections import defaultdict

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from restaurant_ops.celery import app as celery_app

from . import webhooks
from .models import OutboxDispatch, OutboxEvent, OutboxWindow

logger = logging.getLogger(__name__)

# A nudge is only a wake-up call; the periodic drain covers a lost one, so a stale one is dropped.
NUDGE_EXPIRES_SECONDS = 300
# "A nudge is on its way": while it is, another one is redundant, because the drain it wakes clears
# this mark *before* it reads the outbox, so it reads every row committed while the mark was there.
# Under a rush that saves the broker round trip of nearly every order. The mark also expires on its
# own (a nudge lost with its message, or stuck behind a busy worker): the next commit nudges again.
NUDGE_PENDING_KEY = "connections:outbox-nudge-pending"
NUDGE_PENDING_SECONDS = 5


@functools.cache
def _followers() -> dict[str, tuple[str, ...]]:
    celery_app.loader.import_default_modules()  # every app's tasks.py, also in the web process
    followers = defaultdict(list)
    for name, task in celery_app.tasks.items():
        for topic in getattr(task, "outbox_topics", ()):
            followers[topic].append(name)
    return {topic: tuple(sorted(names)) for topic, names in followers.items()}


def followers(topic: str) -> tuple[str, ...]:
    """Names of the Celery tasks that follow a topic."""
    return _followers().get(topic, ())


def outbox_record(*, topic: str, store, subject: str = "", payload: dict | None = None) -> OutboxEvent:
    """Records an event and the work it owes, in the caller's transaction (call it from a receiver of
    a domain event: the event is sent inside the announcing service's transaction). Nothing is owed
    for a rolled-back order; nothing is lost when the broker is down."""
    event = OutboxEvent.objects.create(store=store, topic=topic, subject=subject, payload=payload or {})
    names = followers(topic)
    OutboxDispatch.objects.bulk_create(
        OutboxDispatch(event=event, store=store, task_name=name) for name in names
    )
    deliveries = webhooks.deliveries_record(event=event)
    if names or deliveries:
        transaction.on_commit(outbox_nudge, robust=True)
    return event


def _nudge_marks() -> bool:
    # The mark is one Redis command; on the database cache (the demo, with its filesystem broker) it
    # would cost more statements than the nudge it saves, so there every commit nudges.
    return isinstance(caches["default"], RedisCache)


def outbox_nudge(*, countdown: float | None = None) -> bool:
    """Wakes the worker to drain the outbox. Best effort: with the broker down the rows wait for the
    beat's periodic drain, so this logs one line and never raises (a committed request stays 2xx).
    An immediate nudge is skipped while another is pending (NUDGE_PENDING_KEY); a delayed one (the end
    of a coalescing window) always goes."""
    if countdown is None and _nudge_marks() and not cache.add(NUDGE_PENDING_KEY, 1, NUDGE_PENDING_SECONDS):
        return True  # the pending nudge's drain has not started: it will read this commit's rows
    try:
        # By name: the task module imports this one, so importing it back would be a cycle.
        celery_app.send_task(
            "connections.tasks.outbox_drain", countdown=countdown, expires=NUDGE_EXPIRES_SECONDS, retry=False
        )
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the work is safe in the outbox
        if countdown is None and _nudge_marks():
            cache.delete(NUDGE_PENDING_KEY)  # nothing is on its way: the next commit tries again
        logger.warning("broker unreachable (%s): outbox work waits for the periodic drain", exc)
        return False
    return True


def _window_seconds(task, store_id: int | None) -> float:
    window = getattr(type(task), "outbox_window", 0)  # from the class: a plain function, not a method
    if callable(window):
        window = window(store_id)
    return float(window or 0) if store_id else 0.0


# Batches a drain takes at most: each is one transaction of up to `limit` rows; the beat's periodic drain
# and the next nudge take the rest.
DRAIN_BATCHES = 5


def outbox_drain(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Hands pending work to the broker; returns how many tasks it sent. Rows are locked with SKIP
    LOCKED, so two drains never send the same row; a failed send rolls back and the rows stay
    pending for the next drain (at least once: followers are idempotent).

    A task with an `outbox_window` runs at once for the first event of a store (leading edge); events
    within the window after that are coalesced into one run at the window's end, which judges the
    latest state. A rush costs two runs, not hundreds, and none waits a fixed window first.

    Rows waiting for a booked window's end are not read again before it: a store in a rush (or with a
    backlog after an outage) would otherwise fill every batch with rows that cannot go yet, and no
    other store's check would be sent until that store's backlog cleared."""
    now = now or timezone.now()
    sent = 0
    if _nudge_marks():
        cache.delete(NUDGE_PENDING_KEY)  # before reading: a commit from now on nudges again (outbox_nudge)
    for _batch in range(DRAIN_BATCHES):
        batch_sent, taken = _drain_batch(now=now, limit=limit)
        sent += batch_sent
        if taken < limit:
            break
    return sent


def _drain_batch(*, now: dt.datetime, limit: int) -> tuple[int, int]:
    """One batch of the drain in its own transaction: (tasks sent, rows taken)."""
    waiting = OutboxWindow.objects.filter(
        task_name=OuterRef("task_name"), store_id=OuterRef("store_id"), trailing_at__gt=now
    )
    sent = 0
    with transaction.atomic():
        rows = list(
            OutboxDispatch.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxDispatch.State.PENDING)
            .exclude(Exists(waiting))
            .order_by("id")[:limit]
        )
        groups: dict[tuple[str, int | None], list[OutboxDispatch]] = defaultdict(list)
        for row in rows:
            groups[(row.task_name, row.store_id)].append(row)
        for (name, store_id), group in groups.items():
            task = celery_app.tasks.get(name)
            if task is None:
                logger.error("outbox: no task named %s; %d rows wait", name, len(group))
                continue
            window = _window_seconds(task, store_id)
            if not window:
                for row in group:
                    _send(task, store_id, [row])
                    sent += 1
                continue
            state, _created = OutboxWindow.objects.select_for_update().get_or_create(
                task_name=name, store_id=store_id
            )
            due = state.last_sent_at + dt.timedelta(seconds=window) if state.last_sent_at else now
            if now < due:
                if state.trailing_at is None or state.trailing_at < now:
                    state.trailing_at = due
                    state.save(update_fields=["trailing_at"])
                    delay = (due - now).total_seconds() + 0.05
                    transaction.on_commit(lambda d=delay: outbox_nudge(countdown=d), robust=True)
                continue
            _send(task, store_id, group)
            sent += 1
            state.last_sent_at, state.trailing_at = now, None
            state.save(update_fields=["last_sent_at", "trailing_at"])
    return sent, len(rows)


def _send(task, store_id: int | None, rows: list[OutboxDispatch]) -> None:
    """One run of a follower for the events of `rows`: their ids, and their payloads too when the task
    declares `outbox_payloads = True` (a check that judges each event, such as a receipt's prices, and
    must not miss one that was coalesced into the window's run)."""
    kwargs = {"store_id": store_id, "event_ids": [row.event_id for row in rows]}
    if getattr(type(task), "outbox_payloads", False):
        payloads = dict(OutboxEvent.objects.filter(pk__in=kwargs["event_ids"]).values_list("pk", "payload"))
        kwargs["payloads"] = [payloads[event_id] for event_id in kwargs["event_ids"] if event_id in payloads]
    result = task.apply_async(kwargs=kwargs)
    OutboxDispatch.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=OutboxDispatch.State.SENT, sent_at=timezone.now(), celery_task_id=result.id or ""
    )


def outbox_purge(*, older_than_days: int = 14, now: dt.datetime | None = None) -> int:
    """Deletes events whose work was all handed over long ago (the nightly clean-up)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    deleted, _ = (
        OutboxEvent.objects.filter(created_at__lt=cutoff)
        .exclude(dispatches__state=OutboxDispatch.State.PENDING)
        .exclude(deliveries__state="pending")
        .delete()
    )
    return deleted
