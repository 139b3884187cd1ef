"""Broker down while ordering, and the cache down: orders go on, nothing is answered 5xx, a retry
replays instead of duplicating, and the follow-up work runs once the broker is back."""

import signal

import pytest
import requests

from analytics.models import Insight
from connections.models import OutboxDispatch
from inventory.models import PurchaseOrder
from kitchen.models import Ticket
from orders.models import Order, Payment

from .conftest import guest_order, place, send_task, start_worker, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.celery]


def test_broker_down_while_ordering(restaurant, broker, web, worker):
    start_worker(worker)
    broker.stop(signal.SIGKILL)  # the queue vanishes under a running web server and worker

    first = place(web, restaurant, "till-1-0001")
    retry = place(web, restaurant, "till-1-0001")  # the till did not hear the answer and retries

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.headers.get("Idempotent-Replayed")) == (201, "true")
    assert retry.json()["id"] == first.json()["id"]
    assert Order.objects.filter(store=restaurant.store).count() == 1
    assert Ticket.objects.filter(order_id=first.json()["id"]).count() == 1
    # the low-stock check the order owes waits in the outbox, not in a lost on-commit callback (the
    # set-up's delivery brought the basket back on sale: that item.back owes its own check, not counted)
    owed = OutboxDispatch.objects.filter(event__subject=f"order:{first.json()['id']}")
    assert list(owed.values_list("task_name", "state")) == [("analytics.tasks.low_stock_check", "pending")]
    assert "broker unreachable" in web.output()
    assert not Insight.objects.filter(store=restaurant.store).exists()

    broker.start()  # the same worker reconnects by itself
    wait_for(lambda: worker.output().count("Connected to redis") >= 2, 30, "worker reconnected")
    # What beat sends every 30 s (connections' schedule), sent here at once to keep the test short.
    send_task(broker, "connections.tasks.outbox_drain")
    wait_for(
        lambda: Insight.objects.filter(store=restaurant.store, kind="low_stock").exists(),
        30,
        "low-stock insight",
    )
    assert owed.get().state == "sent"
    assert PurchaseOrder.objects.filter(store=restaurant.store, status="draft").count() == 1
    assert worker.popen.poll() is None  # never exited


def test_cache_down_orders_payments_and_kitchen_go_on(restaurant, cache_server, web):
    cache_server.stop(signal.SIGKILL)

    order = place(web, restaurant, "till-2-0001", table=restaurant.tables[0])
    assert order.status_code == 201, order.text
    guest = guest_order(web, restaurant.tables[1], restaurant.basket)  # throttled per table: fails open
    assert guest.status_code == 201, guest.text[:500]
    checks = requests.get(
        f"{web.url}/api/v1/checks/",
        params={"table": restaurant.tables[0].pk},
        headers=restaurant.headers,
        timeout=10,
    )
    check = checks.json()["results"][0]
    pay = requests.post(
        f"{web.url}/api/v1/checks/{check['id']}/payments/",
        json={"method": "card", "amount": check["balance"]},
        headers={**restaurant.headers, "Idempotency-Key": "pay-2-0001"},
        timeout=10,
    )
    assert pay.status_code == 201, pay.text
    tickets = requests.get(f"{web.url}/api/v1/kitchen/tickets/", headers=restaurant.headers, timeout=10)
    assert tickets.status_code == 200 and len(tickets.json()["results"]) == 2
    assert Order.objects.filter(store=restaurant.store).count() == 2
    assert Payment.objects.filter(guest_check_id=check["id"]).count() == 1
    assert web.output().count("cache unreachable") == 1  # one line, not one per request
