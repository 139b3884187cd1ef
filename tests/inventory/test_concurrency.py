"""Twenty orders at once against stock for exactly seven portions (shortage policy: refuse).

Each request runs in the live server's own thread with its own database connection and its own
transaction (pytest-django's transactional database: nothing is wrapped in a test transaction).
To show the transactions really overlap — rather than trusting the barrier — a sampler thread
polls pg_stat_activity on a separate connection while the requests are in flight and records the
largest number of other backends that were inside a transaction at the same moment, and whether
any of them was waiting on a row lock (the ingredient row every order locks with
SELECT ... FOR UPDATE). Two or more open at once is the overlap the row lock has to survive.
"""

import threading
import time
from decimal import Decimal

import psycopg2
import pytest
import requests
from django.db import connection
from django.db.models import Sum

from inventory import services
from inventory.models import Ingredient, StockMovement
from orders.models import Order
from restaurant_ops.services import api_key_create
from tests.factories import MenuItemFactory, StoreFactory
from tests.inventory.factories import IngredientFactory

N = 20


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        settings = connection.settings_dict
        self.conn = psycopg2.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
        )
        self.conn.autocommit = True
        self.stop = threading.Event()
        self.max_in_transaction = 0
        self.saw_lock_wait = False

    def run(self):
        with self.conn.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE xact_start IS NOT NULL),"
                    "       count(*) FILTER (WHERE wait_event_type = 'Lock')"
                    " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                open_transactions, lock_waits = cursor.fetchone()
                self.max_in_transaction = max(self.max_in_transaction, open_transactions)
                self.saw_lock_wait = self.saw_lock_wait or lock_waits > 0
                time.sleep(0.002)
        self.conn.close()


@pytest.mark.django_db(transaction=True)
def test_twenty_orders_at_once_against_seven_portions(live_server):
    store = StoreFactory(shortage_policy="refuse")
    chicken = IngredientFactory(store=store, name="Chicken", base_unit="g")
    item = MenuItemFactory(store=store, name="Grilled chicken")
    services.recipe_line_set(
        store=store, menu_item=item, ingredient=chicken, quantity=Decimal("150"), unit="g"
    )
    services.stock_movement_record(
        store=store,
        ingredient=chicken,
        kind="receipt",
        quantity=Decimal("1050"),
        unit="g",
        unit_cost=Decimal("0.01"),
        reason="exactly seven portions",
    )
    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)
    url = f"{live_server.url}/api/v1/orders/"
    barrier = threading.Barrier(N)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def place():
        with requests.Session() as session:
            session.headers["Authorization"] = f"Api-Key {raw}"
            session.get(f"{live_server.url}/healthz", timeout=30)  # connect before the barrier
            barrier.wait()
            response = session.post(url, json={"lines": [{"item": item.pk, "quantity": 1}]}, timeout=60)
        with lock:
            results.append((response.status_code, response.json()))

    sampler = Sampler()
    sampler.start()
    threads = [threading.Thread(target=place) for _ in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    sampler.stop.set()
    sampler.join()

    statuses = sorted(status for status, _body in results)
    assert statuses == [201] * 7 + [409] * 13
    for status, body in results:
        if status == 409:
            error = body["errors"][0]
            assert error["field"] == "lines[0].item"
            assert error["code"] in {"insufficient_stock", "sold_out"}
            assert "Grilled chicken" in error["message"]
    chicken = Ingredient.objects.get(pk=chicken.pk)
    ledger = StockMovement.objects.filter(ingredient=chicken).aggregate(total=Sum("quantity"))["total"]
    assert chicken.on_hand == Decimal("0") == ledger
    assert Order.objects.filter(store=store).count() == 7
    assert sampler.max_in_transaction >= 2, "the requests' transactions never overlapped"
    assert sampler.saw_lock_wait, "no request ever waited on another's row lock"
