"""Shared fixtures. Tests run on PostgreSQL in CI (DATABASE_URL); browser tests drive Debian's
chromium through pytest-playwright against pytest-django's live_server."""

import os

import pytest
from rest_framework.test import APIClient

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and de-bounce marks live in the shared cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def store(db):
    from tests.factories import StoreFactory

    return StoreFactory()


@pytest.fixture
def other_store(db):
    from tests.factories import StoreFactory

    return StoreFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def key_client(store):
    """An API client authenticated with a write-scoped key of `store`."""
    from restaurant_ops.services import api_key_create

    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def mailoutbox_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def live_worker():
    """A real Celery worker (in this process, solo pool) on the real broker (CELERY_BROKER_URL must be
    Redis), consuming both queues: "default" carries the outbox drain, "analytics" the checks it sends.
    Use with `django_db(transaction=True)` so the worker sees what the test commits."""
    from celery.contrib.testing.worker import start_worker

    from restaurant_ops.celery import app

    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL=redis://...")
    with app.connection_for_write() as connection:
        for queue in ("analytics", "default"):
            connection.default_channel.queue_purge(queue)
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=["analytics", "default"], shutdown_timeout=20
    ) as worker:
        yield worker


@pytest.fixture
def run_outbox():
    """`run_outbox(now=None)`: drains the outbox and runs the tasks it hands over in this process
    (Celery's eager mode), as the worker would run them; returns how many it ran. For tests without a
    worker: the leading edge and the window behave as in production (pass `now` to move through it)."""
    from connections.services import outbox_drain
    from restaurant_ops.celery import app

    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield lambda now=None: outbox_drain(now=now)
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = False, False
