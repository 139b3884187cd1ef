"""Real time with a real worker on the real broker: the low-stock check owed by an order runs at once
for the first order of a quiet store (leading edge), and a rush coalesces into one more run at the
window's end, which judges the stock after the rush's last order."""

import time
from decimal import Decimal

import pytest

from analytics.models import AnalysisSettings, Insight, JobRun
from connections.models import OutboxDispatch
from orders.services import LineRequest, order_place
from tests.analytics.realtime_setup import wings_item
from tests.factories import StoreFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
LOW_STOCK = "analytics.tasks.low_stock_check"


def _wait(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    return condition()


def test_a_rush_of_fifty_orders_costs_at_most_two_checks_and_the_last_judges_the_final_stock(live_worker):
    store = StoreFactory()
    # A window longer than the rush (50 orders take a few seconds), so the rush is one window.
    AnalysisSettings.objects.create(store=store, low_stock_debounce_seconds=15)
    item, wings = wings_item(store, on_hand=Decimal("150"), reorder_point=Decimal("120"))

    orders = [
        order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=1)])
        for _ in range(50)
    ]  # 2 wings each: 150 → 148 → ... the 16th order crosses (150 − 32 = 118 < 120) → 150 − 100 = 50

    wings.refresh_from_db()
    assert wings.on_hand == Decimal("50")

    def settled():
        dispatches = OutboxDispatch.objects.filter(store=store, task_name=LOW_STOCK)
        if dispatches.filter(state="pending").exists():
            return None
        task_ids = set(dispatches.values_list("celery_task_id", flat=True))
        runs = JobRun.objects.filter(store=store, job="low_stock", task_id__in=task_ids)
        if runs.count() < len(task_ids) or runs.filter(outcome__in=["queued", "running"]).exists():
            return None
        return task_ids

    task_ids = _wait(settled)
    assert task_ids, "the checks owed by the rush did not all run"
    assert OutboxDispatch.objects.filter(store=store, task_name=LOW_STOCK).count() == 50  # one per order
    runs = list(JobRun.objects.filter(store=store, job="low_stock").order_by("started_at", "id"))
    assert 1 <= len(runs) <= 2, [(r.task_id, r.outcome) for r in runs]
    assert all(run.outcome == "success" for run in runs)
    # The first order was handed over at once (its own run), the last in the last run.
    first = OutboxDispatch.objects.get(task_name=LOW_STOCK, event__subject=f"order:{orders[0].pk}")
    last = OutboxDispatch.objects.get(task_name=LOW_STOCK, event__subject=f"order:{orders[-1].pk}")
    assert first.celery_task_id == runs[0].task_id
    assert last.celery_task_id == runs[-1].task_id

    insight = Insight.objects.get(store=store, kind="low_stock", state__in=Insight.OPEN_STATES)
    assert insight.job_run_id == runs[-1].pk
    # judged on the stock after the 50th order: 50 on hand, reorder point 120; par 120 → order 70 = 7 packs
    assert Decimal(insight.numbers["on_hand"]) == Decimal("50")
    assert Decimal(insight.numbers["reorder_point"]) == Decimal("120")
    assert Decimal(insight.numbers["order_quantity"]) == Decimal("70")


def test_a_price_change_on_a_goods_receipt_is_checked_at_once_by_the_worker(live_worker):
    from inventory import services as inventory

    store = StoreFactory()  # no settings row: the default window, 30 s
    item, wings = wings_item(store, on_hand=Decimal("150"), reorder_point=Decimal("20"))
    supplier = wings.supplier_items.get().supplier  # lists wings at 0.50 a piece
    po = inventory.purchase_order_create_draft(
        store=store, supplier=supplier, lines=[{"ingredient": wings, "quantity": Decimal("10")}]
    )
    inventory.purchase_order_send(purchase_order=po)
    inventory.purchase_order_receive(
        purchase_order=po,
        lines=[{"line": po.lines.get().pk, "quantity": Decimal("10"), "unit_price": Decimal("0.60")}],
    )
    # Checked at once (the leading edge), not after the 30 s window: well within it.
    alert = _wait(lambda: Insight.objects.filter(store=store, kind="price_change").first(), seconds=20)
    assert alert is not None, "no price-change alert within 20 s of the receipt (the window is 30 s)"
    # against 0.50 (the opening stock's cost and the list price alike): (0.60 − 0.50) / 0.50 = +20.0%
    assert (alert.numbers["change_pct"], alert.numbers["supplier"]) == ("+20.0", "Poultry Co")
    assert JobRun.objects.get(store=store, job="price_change").outcome == "success"


def test_an_item_back_in_stock_resolves_the_low_stock_alert_at_once_on_the_worker(live_worker):
    from analytics.registry import run_analysis
    from inventory import services as inventory

    store = StoreFactory()  # no settings row: the default window, 30 s
    item, wings = wings_item(store, on_hand=Decimal("0"), reorder_point=Decimal("5"))
    item.refresh_from_db()
    assert item.sold_out_stock  # no wings for a basket (set up without an event: nothing owed yet)
    alert = Insight.objects.get(
        pk=run_analysis(store=store, job="low_stock").insights.get(kind="low_stock").pk
    )  # 0 ≤ 5: low, judged here in the test, so the store's window is untouched

    inventory.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("30"),
        reason="delivery",
        unit_cost=Decimal("0.50"),
    )  # fmt: skip  (0 + 30 = 30 > 5: the basket is back, item.back is recorded)
    item.refresh_from_db()
    assert not item.sold_out_stock
    # The worker runs the check at once (the leading edge), not after the 30 s window: well within it.
    resolved = _wait(lambda: Insight.objects.filter(pk=alert.pk, state="resolved").exists(), seconds=20)
    assert resolved, "the low-stock alert was not resolved within 20 s of the delivery (the window is 30 s)"
