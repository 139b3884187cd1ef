"""The fault suite's real parts: its own redis-servers (broker and cache, on h5's spare ports, never
the shared Redis), the app under gunicorn, and a Celery worker, all as separate processes on the
test database, so a test can stop, kill or cut any of them and watch what the others do."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BROKER_PORT, CACHE_PORT, WEB_PORT = 21400, 21401, 21410


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not within {timeout} s")


class Process:
    """A child process with its output in a log file; stopped (then killed) as a process group."""

    def __init__(self, command: list[str], env: dict, log: Path):
        self.command, self.env, self.log = command, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        except ProcessLookupError:
            pass

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class RedisServer(Process):
    def __init__(self, port: int, tmp: Path):
        command = [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        super().__init__(command + ["--dir", str(tmp)], dict(os.environ), tmp / f"redis-{port}.log")
        self.port, self.url = port, f"redis://127.0.0.1:{port}/0"

    def ping(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def start(self) -> None:
        super().start()
        wait_for(self.ping, 10, f"redis-server on {self.port}")

    def stop(self, sig=signal.SIGTERM) -> None:
        super().stop(sig)
        wait_for(lambda: not self.ping(), 10, f"redis-server on {self.port} down")


@pytest.fixture
def fault_env(transactional_db, tmp_path):
    if connection.vendor != "postgresql" or not Path("/usr/bin/redis-server").exists():
        pytest.skip("the fault suite needs PostgreSQL and redis-server (as in CI)")
    db = connection.settings_dict
    # A clean environment: what a server would have (no pytest or Playwright variables).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TZ") if k in os.environ}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{BROKER_PORT}/0",
        REDIS_URL=f"redis://127.0.0.1:{CACHE_PORT}/0",
        RESTAURANT_OPS_VAR_DIR=str(tmp_path),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def broker(fault_env, tmp_path):
    server = RedisServer(BROKER_PORT, tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop(signal.SIGKILL)


@pytest.fixture
def cache_server(fault_env, tmp_path):
    server = RedisServer(CACHE_PORT, tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop(signal.SIGKILL)


@pytest.fixture
def web(fault_env, broker, cache_server, tmp_path):
    """The app under gunicorn (one process, 16 threads, as a small production box runs it)."""
    command = [sys.executable, "-m", "gunicorn", "restaurant_ops.wsgi", "-b", f"127.0.0.1:{WEB_PORT}"]
    command += ["-w", "1", "--threads", "16", "--timeout", "60"]
    process = Process(command, fault_env, tmp_path / "web.log")
    process.url = f"http://127.0.0.1:{WEB_PORT}"
    process.start()

    def answering():
        try:
            return requests.get(f"{process.url}/login/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(answering, 60, "gunicorn answering")
        yield process
    finally:
        process.stop()


@pytest.fixture
def worker(fault_env, broker, tmp_path):
    """A real Celery worker (prefork, one child) on both queues; started by the test."""
    command = [sys.executable, "-m", "celery", "-A", "restaurant_ops", "worker", "-Q", "default,analytics"]
    command += ["--pool", "prefork", "-c", "1", "--loglevel", "INFO", "-n", "fault@%h"]
    process = Process(command, fault_env, tmp_path / "worker.log")
    yield process
    process.stop()


def send_task(broker: "RedisServer", name: str) -> None:
    """Sends a task to this test's broker. (Celery prefers $CELERY_BROKER_URL, the shared Redis of
    the test run, to any broker given to an app, so the connection is passed explicitly.)"""
    from restaurant_ops.celery import app

    with app.connection_for_write(broker.url) as connection:
        app.send_task(name, queue="default", connection=connection)


def start_worker(process: Process) -> None:
    process.start()
    wait_for(lambda: " ready." in process.output(), 60, "celery worker ready")


@pytest.fixture
def restaurant(transactional_db):
    """A store with a kitchen station, 16 tables, and a dish whose ingredient crosses its reorder point
    on the first order: 120 wings on hand, 3 a basket, reorder point 118 (120 − 3 = 117 < 118)."""
    from inventory import services as inventory
    from restaurant_ops.services import api_key_create
    from tests.factories import MenuItemFactory, StoreFactory, TableFactory
    from tests.inventory.factories import IngredientFactory, SupplierFactory
    from tests.kitchen.factories import StationFactory

    store = StoreFactory()
    StationFactory(store=store, name="Fryer")
    wings = IngredientFactory(store=store, name="Wings", base_unit="pcs", min_quantity=Decimal("118"))
    basket = MenuItemFactory(store=store, name="Wing basket", price=Decimal("10.00"))
    inventory.recipe_line_set(
        store=store, ingredient=wings, quantity=Decimal("3"), unit="pcs", menu_item=basket
    )
    supplier = SupplierFactory(store=store, lead_time_days=1)
    item = inventory.supplier_item_upsert(supplier=supplier, ingredient=wings, pack_size=Decimal("50"))
    inventory.supplier_price_add(
        supplier_item=item, price=Decimal("0.50"), effective_from=dt.date(2020, 1, 1)
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("120"),
        reason="opening",
        unit_cost=Decimal("0.50"),
    )
    _key, raw = api_key_create(store=store, name="Till", scope="write", created_by=None)

    class Restaurant:
        pass

    restaurant = Restaurant()
    restaurant.store, restaurant.wings, restaurant.basket = store, wings, basket
    restaurant.tables = [TableFactory(store=store, name=f"T{n}") for n in range(1, 17)]
    restaurant.headers = {"Authorization": f"Api-Key {raw}"}
    return restaurant


def place(web, restaurant, key: str, table=None, quantity: int = 1, timeout: float = 15) -> requests.Response:
    body = {"lines": [{"item": restaurant.basket.pk, "quantity": quantity}], "external_id": key}
    if table is not None:
        body["table"] = table.pk
    return requests.post(
        f"{web.url}/api/v1/orders/",
        json=body,
        headers={**restaurant.headers, "Idempotency-Key": key},
        timeout=timeout,
    )


def guest_order(web, table, item) -> requests.Response:
    """What a guest's phone does: open the table's QR page, then send the menu form."""
    session = requests.Session()
    page = session.get(f"{web.url}/s/t/{table.qr_token}/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="session" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{web.url}/s/t/{table.qr_token}/order/",
        data={"session": token, f"qty-{item.pk}": "1", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=10,
    )
