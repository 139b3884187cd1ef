"""The POS API: place an order with an idempotency key, retry it, read it back with updated_since."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.utils import timezone

from orders.models import Order, OrderLine
from restaurant_ops.models import IdempotencyRecord
from tests.factories import (
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    TableFactory,
    TaxCategoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def menu(store):
    tax = TaxCategoryFactory(store=store, rate=Decimal("0.0700"))
    size = ModifierGroupFactory(store=store, name="Size", min_choices=1, max_choices=1)
    small = ModifierFactory(group=size, name="Small", price_delta=Decimal("0.00"))
    large = ModifierFactory(group=size, name="Large", price_delta=Decimal("2.50"))
    burger = MenuItemFactory(
        store=store, name="Burger", price=Decimal("11.90"), tax_category=tax, external_id="pos-burger"
    )
    burger.modifier_groups.add(size)
    soda = MenuItemFactory(store=store, name="Soda", price=Decimal("3.00"), tax_category=tax)
    return {
        "burger": burger,
        "soda": soda,
        "small": small,
        "large": large,
        "table": TableFactory(store=store),
    }


def test_order_is_priced_on_the_server_with_tax_exclusive(key_client, store, menu):
    body = {
        "table": menu["table"].pk,
        "lines": [
            {"item": menu["burger"].pk, "quantity": 2, "modifiers": [menu["large"].pk]},
            {"item": menu["soda"].pk, "quantity": 1},
        ],
    }
    response = key_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    # (11.90 + 2.50) × 2 = 28.80 and 3.00; tax 7%: 2.016 → 2.02 and 0.21 (a client cannot send a
    # price: see test_strict_api).
    assert [line["line_total"] for line in data["lines"]] == ["28.80", "3.00"]
    assert [line["tax_amount"] for line in data["lines"]] == ["2.02", "0.21"]
    assert (data["subtotal"], data["tax"], data["total"]) == ("31.80", "2.23", "34.03")
    assert data["lines"][0]["modifiers"] == [
        {"modifier_id": menu["large"].pk, "name": "Large", "price_delta": "2.50"}
    ]
    assert data["status"] == "placed" and data["channel"] == "api"


def test_tax_inclusive_prices_contain_their_tax(key_client, store, menu):
    store.prices_include_tax = True
    store.save()
    response = key_client.post(
        "/api/v1/orders/", {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}, format="json"
    )
    data = response.json()
    # 3.00 × 0.07 / 1.07 = 0.196… → 0.20 tax inside; the total stays 3.00.
    assert (data["subtotal"], data["tax"], data["total"]) == ("3.00", "0.20", "3.00")
    assert data["lines"][0]["net_amount"] == "2.80"


def test_external_ids_round_trip(key_client, menu):
    response = key_client.post(
        "/api/v1/orders/",
        {
            "external_id": "till-0042",
            "lines": [{"item_external_id": "pos-burger", "quantity": 1, "modifiers": [menu["small"].pk]}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    listed = key_client.get("/api/v1/orders/", {"external_id": "till-0042"}).json()["results"]
    assert [o["id"] for o in listed] == [order_id]
    assert listed[0]["lines"][0]["item_external_id"] == "pos-burger"
    again = key_client.post(
        "/api/v1/orders/",
        {"external_id": "till-0042", "lines": [{"item": menu["soda"].pk, "quantity": 1}]},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "external_id"


def test_retry_with_same_idempotency_key_returns_first_response(key_client, menu):
    body = {"lines": [{"item": menu["soda"].pk, "quantity": 2}]}
    first = key_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = key_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_same_key_different_body_is_422_and_writes_nothing(key_client, menu):
    key_client.post(
        "/api/v1/orders/",
        {"lines": [{"item": menu["soda"].pk, "quantity": 2}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-2",
    )
    other = key_client.post(
        "/api/v1/orders/",
        {"lines": [{"item": menu["soda"].pk, "quantity": 3}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-2",
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Order.objects.count() == 1


def test_a_failed_request_does_not_burn_its_key(key_client, menu):
    menu["soda"].sold_out_manual = True
    menu["soda"].save()
    body = {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}
    assert (
        key_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 409
    )
    assert IdempotencyRecord.objects.count() == 0
    menu["soda"].sold_out_manual = False
    menu["soda"].save()
    assert (
        key_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    )


def test_keys_expire_after_24_hours(key_client, menu):
    body = {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}
    key_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    key_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert Order.objects.count() == 2


def test_updated_since_and_cursor_pagination(key_client, store, menu):
    for _ in range(3):
        key_client.post(
            "/api/v1/orders/", {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}, format="json"
        )
    cutoff = timezone.now()
    Order.objects.update(updated_at=cutoff - dt.timedelta(minutes=5))
    late = key_client.post(
        "/api/v1/orders/", {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}, format="json"
    ).json()
    since = key_client.get("/api/v1/orders/", {"updated_since": cutoff.isoformat()}).json()
    assert [o["id"] for o in since["results"]] == [late["id"]]

    page1 = key_client.get("/api/v1/orders/", {"page_size": 3}).json()
    assert len(page1["results"]) == 3 and page1["next"]
    page2 = key_client.get(page1["next"]).json()
    ids = [o["id"] for o in page1["results"] + page2["results"]]
    assert sorted(ids, reverse=True) == ids and len(set(ids)) == 4


def test_the_answer_to_each_placement_is_the_order_as_read_back(key_client, menu):
    # The answer is serialised from the order in memory, by a serializer reused across requests: two
    # different orders in a row must each answer exactly what reading them back gives.
    bodies = [
        {
            "table": menu["table"].pk,
            "lines": [{"item": menu["burger"].pk, "quantity": 1, "modifiers": [menu["large"].pk]}],
        },
        {
            "note": "no ice",
            "lines": [{"item": menu["soda"].pk, "quantity": 3}, {"item": menu["soda"].pk, "quantity": 1}],
        },
    ]
    for body in bodies:
        placed = key_client.post("/api/v1/orders/", body, format="json")
        assert placed.status_code == 201, placed.content
        assert placed.json() == key_client.get(f"/api/v1/orders/{placed.json()['id']}/").json()
    assert [line["quantity"] for line in placed.json()["lines"]] == [3, 1]  # the second order's lines


def test_each_request_is_validated_on_its_own(key_client, menu):
    # The input serializer is reused across requests: a refused body leaves nothing behind for the
    # next, and an accepted one none of its values.
    def post(body):
        return key_client.post("/api/v1/orders/", body, format="json")

    def fields(response):
        return [error["field"] for error in response.json()["errors"]]

    refused = post({"lines": [{"item": menu["soda"].pk, "quantity": 0}]})
    assert refused.status_code == 400 and fields(refused) == ["lines[0].quantity"]
    placed = post({"note": "first", "lines": [{"item": menu["soda"].pk, "quantity": 2}]})
    assert placed.status_code == 201 and placed.json()["note"] == "first"
    refused = post({"lines": [], "tip": "1.00"})
    assert refused.status_code == 400 and sorted(fields(refused)) == ["lines", "tip"]
    placed = post({"lines": [{"item": menu["soda"].pk, "quantity": 1}]})
    assert placed.status_code == 201 and placed.json()["note"] == ""  # not the first order's note
    assert [line["quantity"] for line in placed.json()["lines"]] == [1]


def test_status_moves_are_checked_and_timestamped(key_client, menu):
    order = key_client.post(
        "/api/v1/orders/", {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}, format="json"
    ).json()
    url = f"/api/v1/orders/{order['id']}/status/"
    assert key_client.post(url, {"status": "served"}, format="json").status_code == 409
    assert key_client.post(url, {"status": "in_kitchen"}, format="json").json()["in_kitchen_at"]
    ready = key_client.post(url, {"status": "ready"}, format="json").json()
    assert ready["status"] == "ready" and ready["ready_at"]
    assert (
        key_client.post(f"/api/v1/orders/{order['id']}/cancel/", {"reason": "x"}, format="json").status_code
        == 409
    )
    served = key_client.post(url, {"status": "served"}, format="json").json()
    assert served["served_at"]
    changes = list(Order.objects.get(pk=order["id"]).status_changes.values_list("to_status", flat=True))
    assert changes == ["placed", "in_kitchen", "ready", "served"]


def test_read_only_key_cannot_write(api_client, store, menu):
    from restaurant_ops.services import api_key_create

    _key, raw = api_key_create(store=store, name="BI", scope="read", created_by=None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get("/api/v1/orders/").status_code == 200
    response = api_client.post(
        "/api/v1/orders/", {"lines": [{"item": menu["soda"].pk, "quantity": 1}]}, format="json"
    )
    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_revoked_key_is_refused(api_client, store):
    from restaurant_ops.services import api_key_create, api_key_revoke

    key, raw = api_key_create(store=store, name="old POS", scope="write", created_by=None)
    api_key_revoke(key=key, revoked_by=None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get("/api/v1/orders/").status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_order(live_server, store):
    """Both requests reach the server together (one connection each); one order results."""
    from restaurant_ops.services import api_key_create

    soda = MenuItemFactory(store=store, price=Decimal("3.00"))
    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)
    barrier = threading.Barrier(4)
    results = []

    def post():
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/orders/",
            json={"lines": [{"item": soda.pk, "quantity": 1}]},
            headers={"Authorization": f"Api-Key {raw}", "Idempotency-Key": "same"},
            timeout=30,
        )
        results.append((response.status_code, response.json()["id"]))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert {status for status, _ in results} == {201}
    assert len({order_id for _, order_id in results}) == 1
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 1
    connection.close()
