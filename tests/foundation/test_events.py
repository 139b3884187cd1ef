"""Every domain event is heard. The walk imports each installed app's `events` module, finds every
Signal it declares and fails on one that nobody receives; a listener added or dropped must come with
a test of its effect. The effects are asserted where they happen: tests/inventory/test_voids.py,
tests/kitchen/test_voids.py, tests/orders/test_refunds.py, and the older tests for placing,
cancelling and receiving goods."""

import importlib

from django.apps import apps
from django.dispatch import Signal

# Signal -> apps whose listeners' effects are asserted by a test (named in the comment). Other apps
# may listen too (e.g. an outbox); each listed app must. A new event belongs here with its tests.
HEARD_BY = {
    # tests/inventory/test_stock.py, tests/kitchen/test_tickets.py, tests/connections (the outbox row)
    "orders.order_placed": {"inventory", "kitchen", "connections"},
    # tests/inventory/test_voids.py, tests/kitchen/test_tickets.py
    "orders.order_cancelled": {"inventory", "kitchen"},
    # tests/kitchen/test_voids.py::test_an_order_marked_ready_at_the_till_leaves_the_display
    "orders.order_status_changed": {"kitchen"},
    # tests/inventory/test_voids.py, tests/kitchen/test_voids.py
    "orders.order_line_voided": {"inventory", "kitchen"},
    # tests/orders/test_refunds.py
    "orders.order_lines_refunded": {"inventory", "kitchen"},
    # tests/connections/test_events_recorded.py; the price-change alert follows it through the outbox
    # (tests/connections/test_outbox.py, tests/analytics/test_realtime.py)
    "inventory.goods_received": {"connections"},
    # the outbox rows back offices hear of: tests/connections/test_events_recorded.py,
    # tests/inventory/test_purchasing.py, tests/staffing/test_labour_and_plan.py
    "orders.check_closed": {"connections"},
    "orders.payment_refunded": {"connections"},
    "inventory.purchase_order_sent": {"connections"},
    # item.sold_out / item.back in the outbox, followed by the low-stock check:
    # tests/connections/test_outbox.py
    "inventory.availability_changed": {"connections"},
    "staffing.week_published": {"connections"},
    # item.sold_out / item.back by hand, insight.opened / acted / evaluated and stock.low, signed at the
    # test receiver: tests/connections/test_webhooks.py
    "orders.menu_item_sold_out_by_hand": {"connections"},
    "analytics.insight_opened": {"connections"},
    "analytics.insight_acted": {"connections"},
    "analytics.insight_evaluated": {"connections"},
    # the morning digest asks the dashboard for today's decisions: tests/connections/test_notifications.py
    "connections.morning_digest_due": {"dashboard"},
    # feedback.received signed at the test receiver: tests/connections/test_webhooks.py
    "customers.feedback_left": {"connections"},
}


def _declared_signals() -> dict[str, Signal]:
    found = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.events")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.events":
                raise
            continue
        for name, value in vars(module).items():
            if isinstance(value, Signal):
                found[f"{config.label}.{name}"] = value
    return found


def _listening_apps(signal: Signal) -> set[str]:
    sync, async_ = signal._live_receivers(None)  # Django's own view of who is connected
    return {receiver.__module__.split(".")[0] for receiver in [*sync, *async_]}


def test_the_walk_finds_the_events_modules():
    assert {"orders.order_placed", "orders.order_line_voided", "inventory.goods_received"} <= set(
        _declared_signals()
    )


def test_every_declared_event_has_a_receiver():
    unheard = [name for name, signal in _declared_signals().items() if not _listening_apps(signal)]
    assert unheard == [], f"events nobody listens to: {unheard}"


def test_every_event_is_heard_by_the_apps_whose_effects_are_tested():
    declared = _declared_signals()
    assert set(HEARD_BY) <= set(declared)
    missing = {
        name: sorted(expected - _listening_apps(declared[name]))
        for name, expected in HEARD_BY.items()
        if expected - _listening_apps(declared[name])
    }
    assert missing == {}


def test_the_stock_locks_are_taken_last_when_an_order_is_placed():
    """Inventory's listener locks the ingredient rows until the order commits: it runs after the
    kitchen's tickets and the outbox, so concurrent orders wait on those rows for the least time."""
    sync, _async = _declared_signals()["orders.order_placed"]._live_receivers(None)
    assert [r.__module__.split(".")[0] for r in sync][-1] == "inventory"
