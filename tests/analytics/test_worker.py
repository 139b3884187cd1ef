"""Integration with a real Celery worker (Redis broker from CELERY_BROKER_URL, the test PostgreSQL
database, not eager mode): an order drops an ingredient below its reorder point, and the low-stock
check it owes (an outbox row, drained on commit) produces an insight with a draft purchase order."""

import datetime as dt
import os
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from analytics.models import AnalysisSettings, Insight, JobRun
from inventory import services as inventory
from inventory.models import PurchaseOrder
from orders.services import LineRequest, order_place
from restaurant_ops.celery import app
from restaurant_ops.services import api_key_create
from tests.factories import MenuItemFactory, StoreFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL=redis://...")
    with app.connection_for_write() as connection:
        for queue in ("analytics", "default"):
            connection.default_channel.queue_purge(queue)
    # "default" carries the outbox drain that hands the low-stock check over after the order commits.
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=["analytics", "default"], shutdown_timeout=20
    ):
        yield


def test_an_order_below_the_reorder_point_raises_a_low_stock_insight_with_a_draft_po(worker):
    store = StoreFactory()
    AnalysisSettings.objects.create(store=store, low_stock_debounce_seconds=1)
    ingredient = IngredientFactory(store=store, name="Wings", base_unit="pcs", min_quantity=Decimal("10"))
    item = MenuItemFactory(store=store, name="Wing basket")
    inventory.recipe_line_set(
        store=store, ingredient=ingredient, quantity=Decimal("3"), unit="pcs", menu_item=item
    )
    supplier = SupplierFactory(store=store, lead_time_days=1)
    si = inventory.supplier_item_upsert(supplier=supplier, ingredient=ingredient, pack_size=Decimal("5"))
    inventory.supplier_price_add(supplier_item=si, price=Decimal("0.50"), effective_from=dt.date(2020, 1, 1))
    inventory.stock_movement_record(
        store=store,
        ingredient=ingredient,
        kind="receipt",
        quantity=Decimal("12"),
        reason="opening",
        unit_cost=Decimal("0.50"),
    )

    order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=1)])  # 12 → 9 < 10

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Insight.objects.filter(store=store, kind="low_stock").exists():
        time.sleep(0.25)
    insight = Insight.objects.get(store=store, kind="low_stock")
    po = PurchaseOrder.objects.get(store=store)
    # par = max(formula 0, reorder point 10) → 10 − 9 = 1 → one pack of 5
    assert (po.status, list(po.lines.values_list("quantity", flat=True))) == ("draft", [Decimal("5.000")])
    assert insight.numbers["purchase_order_id"] == po.pk
    run = JobRun.objects.get(pk=insight.job_run_id)
    assert (run.job, run.outcome, bool(run.task_id)) == ("low_stock", "success", True)


def test_a_run_asked_for_over_the_api_runs_on_the_worker_as_of_its_moment(worker):
    store = StoreFactory()
    _key, raw = api_key_create(store=store, name="BI", scope="write", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.post(
        "/api/v1/analytics/runs/", {"at": "2026-03-02T08:00:00+01:00", "jobs": ["forecast"]}, format="json"
    )
    assert response.status_code == 202
    run_id = response.json()["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run = client.get(f"/api/v1/analytics/runs/{run_id}/").json()
        if run["outcome"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert run["outcome"] == "success", run
    assert run["result"]["outcomes"] == {"forecast": "success"}
    assert JobRun.objects.get(store=store, job="forecast").outcome == "success"
