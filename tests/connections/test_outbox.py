"""The outbox: follow-up work is recorded in the order's transaction, handed to the broker by the
drain (leading edge, then coalesced per store), and survives a broker that cannot be reached."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings

from analytics.models import AnalysisSettings, Insight, JobRun
from connections import services
from connections.models import OutboxDispatch, OutboxEvent, OutboxWindow
from inventory import services as inventory
from orders.events import OrderRejected
from orders.services import LineRequest, order_place
from restaurant_ops.celery import app
from tests.factories import MenuItemFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
LOW_STOCK = "analytics.tasks.low_stock_check"
NOTIFY = "connections.tasks.notify"
PRICE = "analytics.tasks.price_change_check"


@pytest.fixture(autouse=True)
def _empty_queues():
    yield
    with app.connection_for_write() as connection:
        for queue in ("analytics", "default"):
            connection.default_channel.queue_purge(queue)


def _order(store, item, quantity=1):
    return order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=quantity)])


def test_an_order_records_its_event_and_the_work_it_owes_in_its_transaction(store):
    item = MenuItemFactory(store=store, name="Soup")
    order = _order(store, item, 2)
    event = OutboxEvent.objects.get()
    assert (event.topic, event.subject, event.store_id) == ("order.placed", f"order:{order.pk}", store.pk)
    assert event.payload["lines"] == [{"item_id": item.pk, "name": "Soup", "quantity": 2}]
    assert list(OutboxDispatch.objects.values_list("task_name", "state")) == [(LOW_STOCK, "pending")]


def test_a_rolled_back_order_owes_nothing(store):
    ingredient = IngredientFactory(store=store, base_unit="pcs")
    item = MenuItemFactory(store=store)
    inventory.recipe_line_set(
        store=store, ingredient=ingredient, quantity=Decimal("1"), unit="pcs", menu_item=item
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=ingredient,
        kind="receipt",
        quantity=Decimal("1"),
        reason="opening",
        unit_cost=Decimal("1"),
    )
    before = (OutboxEvent.objects.count(), OutboxDispatch.objects.count())  # the receipt's item.back
    with pytest.raises(OrderRejected):  # one portion in stock, two ordered: inventory refuses the order
        _order(store, item, 2)
    assert (OutboxEvent.objects.count(), OutboxDispatch.objects.count()) == before


def test_the_drain_runs_the_check_at_once_then_coalesces_the_rush_into_one_more_run(store):
    AnalysisSettings.objects.create(store=store, low_stock_debounce_seconds=30)
    item = MenuItemFactory(store=store)
    first = _order(store, item)
    assert services.outbox_drain(now=T0) == 1  # leading edge: no wait for the first order
    rush = [_order(store, item) for _ in range(5)]
    # within the window: nothing sent, one trailing run booked for its end
    assert services.outbox_drain(now=T0 + dt.timedelta(seconds=3)) == 0
    assert services.outbox_drain(now=T0 + dt.timedelta(seconds=4)) == 0
    window = OutboxWindow.objects.get(task_name=LOW_STOCK, store=store)
    assert window.trailing_at == T0 + dt.timedelta(seconds=30)
    assert services.outbox_drain(now=T0 + dt.timedelta(seconds=30)) == 1  # the window's end: one run
    sent = OutboxDispatch.objects.filter(state="sent").order_by("id")
    assert [d.event.subject for d in sent] == [f"order:{o.pk}" for o in [first, *rush]]
    assert len({d.celery_task_id for d in sent}) == 2  # six orders, two checks
    assert services.outbox_drain(now=T0 + dt.timedelta(seconds=31)) == 0


def test_a_store_waiting_for_its_window_does_not_hold_up_another_stores_check(store, other_store):
    """A backlog (a rush, or orders taken while the worker was down) of one store in its window filled
    each batch of the drain, in id order, so another store's first order was never reached."""
    AnalysisSettings.objects.create(store=store, low_stock_debounce_seconds=30)
    item = MenuItemFactory(store=store)
    _order(store, item)
    assert services.outbox_drain(now=T0) == 1  # this store's leading edge
    for _ in range(6):  # its rush: six rows, twice the batch of three below
        _order(store, item)
    other_order = _order(other_store, MenuItemFactory(store=other_store))
    # one drain: batch 1 (three of the rush) books the window's end; batch 2 skips the rows that wait
    # for it and takes the rest of the rush and the other store's row: its first check goes at once
    assert services.outbox_drain(now=T0 + dt.timedelta(seconds=3), limit=3) == 1
    sent = OutboxDispatch.objects.get(store=other_store)
    assert (sent.state, sent.event.subject) == ("sent", f"order:{other_order.pk}")
    assert OutboxDispatch.objects.filter(store=store, state="pending").count() == 6
    # the window's end: one run for the rush's first batch; its second batch opens the next window (a run
    # judges the latest state, so a batch of `limit` events per window loses nothing)
    assert services.outbox_drain(now=T0 + dt.timedelta(seconds=30), limit=3) == 1
    assert OutboxDispatch.objects.filter(store=store, state="pending").count() == 3


def _received(store, supplier, ingredient, unit_price: Decimal):
    po = inventory.purchase_order_create_draft(
        store=store, supplier=supplier, lines=[{"ingredient": ingredient, "quantity": Decimal("10")}]
    )
    inventory.purchase_order_send(purchase_order=po)
    return inventory.purchase_order_receive(
        purchase_order=po,
        lines=[{"line": po.lines.get().pk, "quantity": Decimal("10"), "unit_price": unit_price}],
    )


def test_a_receipts_price_check_runs_at_once_and_later_receipts_in_the_window_coalesce(store, run_outbox):
    AnalysisSettings.objects.create(store=store, low_stock_debounce_seconds=30)
    wings = IngredientFactory(store=store, name="Wings", base_unit="pcs")
    supplier = SupplierFactory(store=store, name="Poultry Co")
    si = inventory.supplier_item_upsert(supplier=supplier, ingredient=wings, pack_size=Decimal("10"))
    inventory.supplier_price_add(supplier_item=si, price=Decimal("0.50"), effective_from=dt.date(2020, 1, 1))

    _received(store, supplier, wings, Decimal("0.60"))
    assert list(OutboxDispatch.objects.filter(state="pending").values_list("task_name", flat=True)) == [PRICE]
    assert run_outbox(now=T0) == 1  # leading edge: the first receipt is checked at once
    alert = Insight.objects.get(store=store, kind="price_change")
    # against the list price 0.50: (0.60 − 0.50) / 0.50 = +20.0%, a warning (no receipt before)
    assert (alert.message_key, alert.severity, alert.numbers["change_pct"]) == (
        "price_change_list",
        "warning",
        "+20.0",
    )

    _received(store, supplier, wings, Decimal("0.66"))  # (0.66 − 0.60) / 0.60 = +10.0%
    _received(store, supplier, wings, Decimal("0.72"))  # (0.72 − 0.66) / 0.66 = +9.09…% → +9.1
    # within the window: booked for its end; what runs is the alert's notifications (insight.opened)
    assert run_outbox(now=T0 + dt.timedelta(seconds=5)) == 1
    assert set(OutboxDispatch.objects.filter(state="pending").values_list("task_name", flat=True)) == {PRICE}
    alert.refresh_from_db()
    assert alert.numbers["change_pct"] == "+20.0"
    assert run_outbox(now=T0 + dt.timedelta(seconds=30)) == 1  # one run judges both receipts, in order
    alert.refresh_from_db()
    assert (alert.message_key, alert.severity, alert.numbers["change_pct"]) == (
        "price_change",
        "warning",
        "+9.1",
    )
    assert [run.result for run in JobRun.objects.filter(store=store, job="price_change").order_by("id")] == [
        {"alerts": 1},
        {"alerts": 1},
        {"alerts": 1},
    ]  # three receipts judged (the last two in one task), none missed


def test_an_item_selling_out_and_coming_back_is_announced_and_checked_at_once_then_coalesced(
    store, run_outbox
):
    AnalysisSettings.objects.create(store=store, low_stock_debounce_seconds=30)
    wings = IngredientFactory(store=store, name="Wings", base_unit="pcs", min_quantity=Decimal("5"))
    item = MenuItemFactory(store=store, name="Wing basket")

    def stock(quantity: str, kind: str = "receipt"):
        inventory.stock_movement_record(
            store=store, ingredient=wings, kind=kind, quantity=Decimal(quantity), reason="test",
            unit_cost=Decimal("0.50"),
        )  # fmt: skip

    def topics():  # (the notifications of an opened insight follow too: tests/connections/test_notifications)
        pending = OutboxDispatch.objects.filter(state="pending").exclude(task_name=NOTIFY).order_by("id")
        return [(d.event.topic, d.event.subject, d.task_name) for d in pending]

    stock("4")  # 4 wings, then the recipe: two baskets; the item was never sold out, so nothing flips
    inventory.recipe_line_set(
        store=store, ingredient=wings, quantity=Decimal("2"), unit="pcs", menu_item=item
    )
    assert topics() == []
    _order(store, item, 2)  # 4 − 2 × 2 = 0: sold out, in the order's transaction
    order_event = OutboxEvent.objects.get(topic="order.placed")
    assert topics() == [
        ("order.placed", order_event.subject, LOW_STOCK),
        ("item.sold_out", f"item:{item.pk}", LOW_STOCK),
    ]
    assert OutboxEvent.objects.get(topic="item.sold_out").payload == {
        "item_id": item.pk,
        "name": "Wing basket",
        "by_hand": False,
    }
    assert run_outbox(now=T0) == 1  # at once, one run for both events
    alert = Insight.objects.get(store=store, kind="low_stock")
    assert (alert.state, alert.numbers["on_hand"]) == ("new", "0.000")  # 0 ≤ reorder point 5

    stock("20")  # back in stock (0 + 20 = 20 > 5) within the window: waits for its end
    assert topics() == [("item.back", f"item:{item.pk}", LOW_STOCK)]
    assert run_outbox(now=T0 + dt.timedelta(seconds=10)) == 1  # only the alert's notifications (no window)
    assert run_outbox(now=T0 + dt.timedelta(seconds=30)) == 1
    alert.refresh_from_db()
    assert alert.state == "resolved"  # 20 on hand is above the reorder point again

    stock("19", kind="waste")  # 20 − 19 = 1 < 2 a portion: sold out again, long after the window
    assert topics() == [("item.sold_out", f"item:{item.pk}", LOW_STOCK)]
    assert run_outbox(now=T0 + dt.timedelta(minutes=5)) == 1  # a new window's leading edge: at once
    assert Insight.objects.get(store=store, kind="low_stock", state="new").numbers["on_hand"] == "1.000"


DRAIN = "connections.tasks.outbox_drain"


@pytest.fixture
def sent_tasks(monkeypatch):
    """Names and countdowns of what reaches the broker (the drain's own sends included). The pending
    nudge's mark lives in Redis (without it every commit nudges)."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    sent = []

    def send_task(name, args=None, kwargs=None, **options):
        sent.append((name, options.get("countdown")))
        return SimpleNamespace(id=f"task-{len(sent)}")

    monkeypatch.setattr(app, "send_task", send_task)
    return sent


def test_a_rush_of_orders_nudges_the_worker_once_until_its_drain_starts(
    store, sent_tasks, django_capture_on_commit_callbacks
):
    item = MenuItemFactory(store=store)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _order(store, item)
    # three commits, one nudge: its drain has not started, so it will read all three orders' rows
    assert [s for s in sent_tasks if s[0] == DRAIN] == [(DRAIN, None)]
    services.outbox_drain()  # a drain starting clears the mark: the next commit must nudge again
    with django_capture_on_commit_callbacks(execute=True):
        _order(store, item)
    assert [s for s in sent_tasks if s[0] == DRAIN] == [(DRAIN, None), (DRAIN, None)]


def test_a_delayed_nudge_always_goes_and_a_failed_one_leaves_no_mark(monkeypatch, sent_tasks):
    assert services.outbox_nudge()
    assert services.outbox_nudge(countdown=30)  # a window's end is not the pending wake-up call
    assert sent_tasks == [(DRAIN, None), (DRAIN, 30)]
    services.outbox_drain()

    def broker_down(name, **options):
        raise ConnectionError("broker down")

    monkeypatch.setattr(app, "send_task", broker_down)
    assert not services.outbox_nudge()  # nothing went out ...
    monkeypatch.undo()
    sent_again = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: sent_again.append(name))
    assert services.outbox_nudge()  # ... so the next commit's nudge is not skipped
    assert sent_again == [DRAIN]
