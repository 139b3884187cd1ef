"""16 tills for 60 s: every request answered without a 5xx, then the books agree: orders == tickets,
the stock ledger sums to on-hand, and receipt numbers run 1..n without a gap."""

import threading
import time
from decimal import Decimal

import pytest
import requests

from inventory import services as inventory
from orders.models import Order

from .conftest import place
from .test_worker_and_database import consistency

pytestmark = pytest.mark.fault
CLIENTS, SECONDS = 16, 60


def test_sixteen_tills_for_sixty_seconds(restaurant, web):
    inventory.stock_movement_record(
        store=restaurant.store,
        ingredient=restaurant.wings,
        kind="receipt",
        quantity=Decimal("100000"),
        reason="delivery",
        unit_cost=Decimal("0.50"),
    )
    statuses: list[tuple[str, int]] = []
    placed: list[int] = []
    deadline = time.monotonic() + SECONDS

    def till(number: int) -> None:
        table = restaurant.tables[number]
        sequence = 0
        while time.monotonic() < deadline:
            sequence += 1
            response = place(
                web, restaurant, f"till-{number}-{sequence:05d}", table=table, quantity=2, timeout=60
            )
            statuses.append(("order", response.status_code))
            if response.status_code == 201:
                placed.append(response.json()["id"])
            if sequence % 3:
                continue
            checks = requests.get(
                f"{web.url}/api/v1/checks/",
                params={"table": table.pk, "status": "open"},
                headers=restaurant.headers,
                timeout=60,
            )
            statuses.append(("checks", checks.status_code))
            for check in checks.json()["results"]:
                pay = requests.post(
                    f"{web.url}/api/v1/checks/{check['id']}/payments/",
                    json={"method": "card", "amount": check["balance"]},
                    headers={**restaurant.headers, "Idempotency-Key": f"pay-{number}-{sequence}"},
                    timeout=60,
                )
                statuses.append(("pay", pay.status_code))

    threads = [threading.Thread(target=till, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)

    bad = [s for s in statuses if s[1] >= 500 or s[1] in (400, 404)]
    assert not bad, bad[:10]
    assert len(placed) >= CLIENTS  # every till got orders through
    assert Order.objects.filter(store=restaurant.store).count() == len(placed) == len(set(placed))
    assert restaurant.store.receipts.count() > 0
    consistency(restaurant.store)
    counts = {kind: sum(1 for k, _ in statuses if k == kind) for kind in ("order", "checks", "pay")}
    receipts = restaurant.store.receipts.count()
    print(f"{len(placed)} orders, {receipts} receipts in {SECONDS} s; requests {counts}")
